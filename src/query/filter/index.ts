export * from './nodes.js';
export * from './f.js';
export * from './q.js';
export * from './parse.js';
export * from './aggregates.js';
