export * from './types.js';
export * from './queryset.js';
export { prefetch, parsePrefetch, type PrefetchArg } from './prefetch.js';
