import { createSqliteStorage } from '@kirim/storage-sqlite';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../tests/support/eventually.js';
import { testCleanups } from '../../../tests/support/storage.js';
import { GroupCommit } from './group-commit.js';
import { aUser } from './testing/conformance/conformance-context.js';

// A write that fails any batch holding a 'bad' item, recording the batches it was given.
const recordingWrite = (batches: string[][]) => async (batch: string[]) => {
  batches.push(batch);
  if (batch.includes('bad')) throw new Error('bad item');
};

describe('GroupCommit', () => {
  it('writes items added together in one batch', async () => {
    const batches: string[][] = [];
    const commit = new GroupCommit({ batchSize: 10, write: recordingWrite(batches) });
    await Promise.all(['a', 'b', 'c'].map((item) => commit.add(item)));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('fails only the bad item of a failed batch, by default', async () => {
    const batches: string[][] = [];
    const commit = new GroupCommit({ batchSize: 10, write: recordingWrite(batches) });
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => commit.add(item)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it("fails every item of a failed batch with its error, with onBatchError 'fail-all'", async () => {
    const batches: string[][] = [];
    const commit = new GroupCommit({ batchSize: 10, write: recordingWrite(batches), onBatchError: 'fail-all' });
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => commit.add(item)));
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.status))).toEqual([
      'bad item',
      'bad item',
      'bad item',
    ]);
    expect(batches).toEqual([['a', 'bad', 'c']]);
  });

  it('splits a backlog into batches of batchSize', async () => {
    const batches: string[][] = [];
    const commit = new GroupCommit({ batchSize: 2, write: recordingWrite(batches) });
    await Promise.all(['a', 'b', 'c'].map((item) => commit.add(item)));
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });
});

describe('GroupCommit on SQLite', () => {
  const cleanups = testCleanups();

  /** A group commit inserting users by email, each batch in one transaction, recording the batches it wrote. */
  async function usersCommit() {
    const storage = createSqliteStorage({ filename: ':memory:' });
    cleanups.push(() => storage.close());
    await storage.migrate();
    const batches: string[][] = [];
    // A write waits for this while the test holds it: what is added meanwhile is added during a write.
    let gate = Promise.resolve();
    const commit = new GroupCommit<string>({
      batchSize: 10,
      write: async (emails) => {
        batches.push(emails);
        await gate;
        await storage.transaction(async (tx) => {
          for (const email of emails) await tx.users.insert(aUser({ email }));
        });
      },
    });
    const stored = async (emails: string[]) =>
      (await Promise.all(emails.map((email) => storage.users.getByEmail(email)))).map((u) => u?.email ?? null);
    const holdWrites = () => {
      let open = () => {};
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => open();
    };
    return { storage, commit, batches, stored, holdWrites };
  }

  it('commits items added while a write is under way together in the next batch', async () => {
    const { commit, batches, stored, holdWrites } = await usersCommit();
    const release = holdWrites();
    const first = commit.add('a@example.com');
    await eventually(() => batches.length === 1);
    // Added while the first write is under way: they wait for it, then share one transaction.
    const later = [commit.add('b@example.com'), commit.add('c@example.com')];
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([['a@example.com'], ['b@example.com', 'c@example.com']]);
    expect(await stored(['a@example.com', 'b@example.com', 'c@example.com'])).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
  });

  it('rolls a failed batch back and writes it again item by item: the taken email fails alone, the others are stored', async () => {
    const { storage, commit, stored } = await usersCommit();
    await storage.users.insert(aUser({ email: 'taken@example.com' }));
    const outcomes = await Promise.allSettled(
      ['a@example.com', 'taken@example.com', 'c@example.com'].map((email) => commit.add(email)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'conflict' } });
    expect(await stored(['a@example.com', 'c@example.com'])).toEqual(['a@example.com', 'c@example.com']);
  });

  it('idle() resolves once every item added has been written, and at once when nothing is pending', async () => {
    const { commit, stored } = await usersCommit();
    await commit.idle();
    const emails = Array.from({ length: 25 }, (_, i) => `u${i}@example.com`);
    for (const email of emails) void commit.add(email);
    await commit.idle();
    expect(await stored(emails)).toEqual(emails);
  });
});
