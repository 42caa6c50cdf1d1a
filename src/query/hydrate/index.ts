export * from './state.js';
export * from './plan.js';
