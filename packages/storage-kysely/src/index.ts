export { createKyselyStorage, type KyselyStorageOptions } from './kysely-storage.js';
export type { Database } from './database.js';
export type { SqlDialect } from './dialect.js';
export { translateDriverError } from './driver-errors.js';
export { insertMany } from './insert-many.js';
export { updateRows } from './update-rows.js';
