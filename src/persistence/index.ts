export * from './validate.js';
export * from './write.js';
