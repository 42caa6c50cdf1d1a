export * from './model-meta.js';
export * from './registry.js';
export * from './decorators.js';
export { NO_SIBLINGS, RELATED, SIBLINGS, noteRead, relatedCache, setManagerFactory, type ManagerFactory, type RelationReads } from './relations.js';
