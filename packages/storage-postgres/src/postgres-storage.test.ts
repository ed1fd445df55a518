import { runStorageConformance } from '@kirim/core/testing';
import { freshPostgresUrl } from '../../../tests/support/postgres.js';
import { createPostgresStorage } from './index.js';

runStorageConformance('postgres', async () => createPostgresStorage({ connectionString: await freshPostgresUrl() }));
