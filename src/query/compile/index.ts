export * from './state.js';
export * from './where.js';
export * from './select.js';
export * from './write.js';
export * from './cache.js';
