export { kirimRouter, type KirimRouterOptions } from './router.js';
export { statusForCode } from './errors.js';
export { ok, paged } from './envelope.js';
