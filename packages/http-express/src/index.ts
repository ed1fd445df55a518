export { kirimRouter, type KirimRouterOptions } from './router.js';
export { errorHandler, statusForCode } from './errors.js';
export { actorOf, bearerAuth } from './auth.js';
export { ok, paged } from './envelope.js';
