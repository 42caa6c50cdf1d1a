export * from './types.js';
export * from './queryset.js';
export { prefetch, parsePrefetch } from './prefetch.js';
