export * from './duration.js';
export * from './load.js';
export * from './redact.js';
export * from './tokens.js';
export * from './snapshot-limits.js';
export * from './catalog.config.js';
export * from './stack.config.js';
export * from './gateway.config.js';
