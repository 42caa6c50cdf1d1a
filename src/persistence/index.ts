export * from './validate.js';
export * from './write.js';
export * from './bulk.js';
