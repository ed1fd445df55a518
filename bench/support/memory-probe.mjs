// Preloaded (`node --expose-gc --import ./bench/support/memory-probe.mjs ...`) into a process that
// bench/sessions.ts measures, started with an IPC channel: on `{ cmd: 'probe' }` it collects garbage and
// answers with the process's memory and CPU time (see session-probe-protocol.ts).
//
// The benchmark probes once, after the process has idled: a forced full GC in V8 11 (Node 20) does not
// free all that the memory reducer frees when a process goes idle, and forcing GCs over and over
// postpones the reducer. One collection at the end drops the garbage of background work (Kirim polls
// its database), so the reading is live memory, not how far the collector happens to lag.
// Plain JavaScript so that the measured process (the reference server) runs without tsx, as `npm start` does.
if (process.send) {
  process.on('message', (request) => {
    if (request?.cmd !== 'probe') return;
    globalThis.gc?.();
    // V8 gives freed pages back a moment after a collection: wait, collect what came meanwhile, read.
    setTimeout(() => {
      globalThis.gc?.();
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send({
        type: 'probe',
        rss,
        heapUsed,
        heapTotal,
        external,
        arrayBuffers,
        cpuUs: cpu.user + cpu.system,
        gc: typeof globalThis.gc === 'function',
      });
    }, 1_000);
  });
  // The channel must not keep the process alive on its own, nor outlive the parent.
  process.channel?.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
