// What bench/sessions.ts and its measured child processes say to each other over the IPC channel.

/** Parent → child. `warmup` and `link` are understood by the bare Baileys child only. */
export type ChildRequest = { cmd: 'probe' } | { cmd: 'warmup'; number: string } | { cmd: 'link'; numbers: string[] };

/** A child's memory (bytes, `process.memoryUsage()` after a forced GC) and CPU time so far (user + system, microseconds). */
export interface ProbeReply {
  type: 'probe';
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  cpuUs: number;
  /** Whether `global.gc` was there (the child was started with --expose-gc). */
  gc: boolean;
  /** The bare child's RSS before `import('baileys')`. */
  beforeImportRss?: number;
}

/** Child → parent. */
export type ChildReply =
  | ProbeReply
  | { type: 'ready' }
  | { type: 'warm' }
  | { type: 'qr'; number: string; qr: string }
  | { type: 'open'; number: string };
