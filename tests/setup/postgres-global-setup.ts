import type { TestProject } from 'vitest/node';
import { startTestPostgres } from '../support/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server every test may create its own schema in. */
    postgresUrl: string;
  }
}

/** Gives every test file a real PostgreSQL (see startTestPostgres); no test is skipped for want of one. */
export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  console.log(
    `[postgres] tests run on ${process.env.KIRIM_TEST_DATABASE_URL ? 'KIRIM_TEST_DATABASE_URL' : `embedded PostgreSQL at ${new URL(server.url).host}`}`,
  );
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
