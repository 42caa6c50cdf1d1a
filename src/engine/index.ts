export * from './config.js';
export * from './connection.js';
export * from './connections.js';
export * from './transaction.js';
export { currentFrame } from './context.js';
