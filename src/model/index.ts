import { setManagerFactory } from '../metadata/index.js';
import { createManager } from './related-manager.js';

setManagerFactory(createManager);

export * from './model.js';
export { RelatedManager } from './related-manager.js';
