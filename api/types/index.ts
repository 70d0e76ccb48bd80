/** The API type schemas and their TypeScript types, in one import: `import { Pod, Deployment } from '../api/types/index.js'`. */
export * from './common.js';
export * from './container.js';
export * from './volume.js';
export * from './affinity.js';
export * from './pod.js';
export * from './workloads.js';
export * from './node.js';
export * from './namespace.js';
export * from './event.js';
export * from './config.js';
export * from './service.js';
export * from './lease.js';
export * from './subresources.js';
export { parseQuantity } from './quantity.js';
export { podQOSClass } from './qos.js';
export { selectorMatches } from './field-validation.js';
