/** Marks an instance that is stored in the database (loaded or saved). */
export const PERSISTED = Symbol('oxen:persisted');
/** The connection alias an instance was loaded from or saved to. */
export const LOADED_FROM = Symbol('oxen:loadedFrom');

/** The instance-side state symbols, as an instance sees them. */
export interface InstanceState {
  [PERSISTED]?: boolean;
  [LOADED_FROM]?: string;
}
