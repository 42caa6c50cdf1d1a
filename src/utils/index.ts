export * from './naming.js';
export * from './did-you-mean.js';
export * from './assert.js';
export * from './redact.js';
export * from './time.js';
export * from './text.js';
export * from './lazy.js';
