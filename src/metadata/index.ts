export * from './model-meta.js';
export * from './registry.js';
export * from './decorators.js';
