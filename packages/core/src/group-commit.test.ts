import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

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
