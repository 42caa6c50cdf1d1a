export * from './field.js';
export * from './text-fields.js';
export * from './number-fields.js';
export * from './temporal-fields.js';
export * from './other-fields.js';
export * from './relation-fields.js';
