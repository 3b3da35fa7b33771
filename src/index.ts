/**
 * facevault — self-hosted face recognition with its own vector database.
 */
export * from './errors.js';
export * from './vector/types.js';
export * from './face/index.js';
