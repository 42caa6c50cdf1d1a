export * from './sync.js';
