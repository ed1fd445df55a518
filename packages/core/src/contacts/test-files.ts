/** What the contacts area's tests read and write: its fixture files, and a temp folder per test file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** The path of `name` in contacts/fixtures. */
export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/**
 * Makes a temp folder (named from `prefix`) before the calling file's tests and removes it after them;
 * returns a function giving the path of a name in it.
 */
export function useTempFolder(prefix: string): (name: string) => string {
  let folder: string | undefined;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  return (name) => join(folder!, name);
}
