export * from './model-meta.js';
export * from './registry.js';
export * from './decorators.js';
export { RELATED, relatedCache, setManagerFactory, type ManagerFactory } from './relations.js';
