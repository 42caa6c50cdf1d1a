export * from './config.js';
export * from './connection.js';
export * from './connections.js';
export * from './transaction.js';
export { currentFrame } from './context.js';
export { detector, NPlusOneDetector, noteLazyLoad, trackSiblings, type NPlusOneFinding, type NPlusOneMode, type NPlusOneOption, type NPlusOneSettings } from './n-plus-one.js';
export type { LogOption, StatementEntry, StatementLogFunction } from './statement-log.js';
export { LatencySketch } from './monitor.js';
export { metricsText } from './metrics-text.js';
