export * from './errors.js';
export * from './limits.js';
export * from './catalog-snapshot.js';
export * from './catalog.js';
export * from './subjects.js';
export * from './storage.js';
export * from './transcoder.js';
export * from './http-errors.js';
