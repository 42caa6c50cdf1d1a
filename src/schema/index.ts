export * from './sync.js';
export * from './ddl.js';
