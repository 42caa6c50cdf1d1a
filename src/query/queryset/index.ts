export * from './types.js';
export * from './queryset.js';
export { isCached, prefetch, parsePrefetch } from './prefetch.js';
