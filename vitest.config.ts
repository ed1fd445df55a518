import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests run against the sources, not dist: no build step before `npm test`.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@kirim\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@kirim\/core\/schemas$/, replacement: src('core/src/schemas.ts') },
      { find: /^@kirim\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@kirim\/storage-kysely$/, replacement: src('storage-kysely/src/index.ts') },
      { find: /^@kirim\/storage-sqlite$/, replacement: src('storage-sqlite/src/index.ts') },
      { find: /^@kirim\/storage-postgres$/, replacement: src('storage-postgres/src/index.ts') },
      { find: /^@kirim\/http-express$/, replacement: src('http-express/src/index.ts') },
      { find: /^@kirim\/server$/, replacement: src('server/src/index.ts') },
      { find: /^@kirim\/wa-sim$/, replacement: src('wa-sim/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/setup/postgres-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
