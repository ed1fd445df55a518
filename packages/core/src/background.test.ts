import { afterEach, describe, expect, it } from 'vitest';
import { startLoop, type BackgroundLoop } from './background.js';
import type { Logger } from './logger.js';
import { ManualClock } from './testing/manual-clock.js';

const INTERVAL_MS = 1000;

/** A logger keeping what was logged as errors. */
function recordingLogger(errors: Array<{ obj: object | string; msg?: string }>): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (obj, msg) => void errors.push({ obj, msg }),
    child: () => logger,
  };
  return logger;
}

/** A promise and the function that resolves it, for a tick that runs until the test lets it end. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const loops: BackgroundLoop[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
});

/** Starts a loop on `clock` whose tick counts its runs and then does what `body` says (by default: nothing more to do). */
function counted(
  clock: ManualClock,
  body: (run: number) => Promise<boolean | void> = async () => false,
  logger?: Logger,
) {
  const runs = { count: 0 };
  const loop = startLoop(clock, INTERVAL_MS, 'test-loop', logger ?? recordingLogger([]), () => body(++runs.count));
  loops.push(loop);
  return { loop, runs };
}

/** Moves the clock an interval on: no run until its last millisecond, one more run then. */
async function expectOneRunAfterInterval(clock: ManualClock, runs: { count: number }): Promise<void> {
  const before = runs.count;
  await clock.advance(INTERVAL_MS - 1);
  expect(runs.count).toBe(before);
  await clock.advance(1);
  expect(runs.count).toBe(before + 1);
}

describe('startLoop', () => {
  it('runs the tick at once, then again each time the interval passes on the clock, not before', async () => {
    const clock = new ManualClock();
    const { runs } = counted(clock);
    await clock.advance(0);
    expect(runs.count).toBe(1);
    await expectOneRunAfterInterval(clock, runs);
    await clock.advance(INTERVAL_MS * 3);
    expect(runs.count).toBe(5);
  });

  it('runs the tick at once when woken, without the clock moving, and waits a whole interval after it', async () => {
    const clock = new ManualClock();
    const { loop, runs } = counted(clock);
    await clock.advance(INTERVAL_MS / 2);
    expect(runs.count).toBe(1);
    loop.wake();
    await clock.advance(0);
    expect(runs.count).toBe(2);
    // The first wait ended with the wake: the next run is an interval after the woken one.
    await expectOneRunAfterInterval(clock, runs);
  });

  it('runs once more, at once, after a tick woken while it was running, however many wakes came', async () => {
    const clock = new ManualClock();
    const first = gate();
    const { loop, runs } = counted(clock, async (run) => {
      if (run === 1) await first.opened;
      return false;
    });
    loop.wake();
    loop.wake();
    loop.wake();
    first.open();
    await clock.advance(0);
    expect(runs.count).toBe(2);
    await clock.advance(INTERVAL_MS - 1);
    expect(runs.count).toBe(2);
  });

  it('runs again at once while the tick reports more work, then waits for the interval', async () => {
    const clock = new ManualClock();
    const { runs } = counted(clock, async (run) => run < 4);
    await clock.advance(0);
    expect(runs.count).toBe(4);
    await expectOneRunAfterInterval(clock, runs);
  });

  it('logs a failing tick with the loop name, and runs again after the interval', async () => {
    const clock = new ManualClock();
    const errors: Array<{ obj: object | string; msg?: string }> = [];
    const failure = new Error('the database went away');
    const { runs } = counted(
      clock,
      async (run) => {
        if (run === 1) throw failure;
        return false;
      },
      recordingLogger(errors),
    );
    await clock.advance(0);
    expect(runs.count).toBe(1);
    expect(errors).toEqual([{ obj: { err: failure, loop: 'test-loop' }, msg: 'background loop tick failed' }]);
    // A failure is not "more work": the next run waits for the interval.
    await expectOneRunAfterInterval(clock, runs);
    expect(errors).toHaveLength(1);
  });

  it('stops only once the running tick has ended, and runs no tick after', async () => {
    const clock = new ManualClock();
    const running = gate();
    let ended = false;
    const { loop, runs } = counted(clock, async () => {
      await running.opened;
      ended = true;
      return true;
    });
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect(stopped).toBe(false);
    running.open();
    await stopping;
    expect(ended).toBe(true);
    // The tick reported more work, but the loop was stopping: no run after it, whatever the clock does.
    await clock.advance(INTERVAL_MS * 5);
    expect(runs.count).toBe(1);
  });

  it('stops at once while waiting for the interval, and a wake after stopping runs nothing', async () => {
    const clock = new ManualClock();
    const { loop, runs } = counted(clock);
    await clock.advance(0);
    await loop.stop();
    loop.wake();
    await clock.advance(INTERVAL_MS * 2);
    expect(runs.count).toBe(1);
  });
});
