export * from './models.js';
export * from './openwebif.client.js';
export * from './receiver-error.js';
export * from './service-ref.js';
export * from './picon-names.js';
export * from './stream-m3u.js';
export * from './text.js';
export type { SharedRequestBudget } from './receiver-policy.js';
