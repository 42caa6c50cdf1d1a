export * from './types.js';
export * from './queryset.js';
