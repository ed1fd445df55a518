import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The real CLI from the TypeScript sources, as bin/kirim.js runs it in the repository. */
const KIRIM = [process.execPath, '--import', 'tsx', 'packages/server/src/cli.ts'];

/** How a `kirim` run ended: its exit status and everything it printed. */
export interface KirimRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `kirim` process still running, its output piped to the test. */
export interface KirimProcess {
  /** Resolves with the match once `pattern` shows on stdout; rejects if the process ends first. */
  printed(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves when the process exits. */
  exited: Promise<KirimRun>;
}

// The test says where the server and database are; nothing leaks in from the shell that runs the tests.
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(KIRIM_|DATABASE_URL$|DATA_DIR$|PORT$)/.test(name),
  );
  return { ...Object.fromEntries(inherited), LOG_LEVEL: 'silent', ...env };
}

/** Starts `kirim ...args` with `env`, stdin closed and its output piped (not a terminal). */
export function startKirim(args: string[], env: Record<string, string>): KirimProcess {
  const [command, ...prefix] = KIRIM;
  return watched(args, spawn(command, [...prefix, ...args], { cwd: ROOT, env: environment(env), stdio: PIPED }));
}

/** Runs `kirim ...args` with `env` to its end. */
export const runKirim = (args: string[], env: Record<string, string>): Promise<KirimRun> =>
  startKirim(args, env).exited;

/**
 * Starts `kirim ...args` on a pseudo-terminal (util-linux `script`), as a person at a terminal would run it; the
 * terminal ends lines with `\r\n`, and stderr comes out on stdout.
 */
export function startKirimOnTerminal(args: string[], env: Record<string, string>): KirimProcess {
  const quoted = [...KIRIM, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = ['--quiet', '--return', '--command', quoted, '/dev/null'];
  return watched(args, spawn('script', script, { cwd: ROOT, env: environment(env), stdio: PIPED }));
}

const PIPED: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];

/** Collects what `child` prints, for {@link KirimProcess.printed} to wait on. */
function watched(args: string[], child: ChildProcessByStdio<null, Readable, Readable>): KirimProcess {
  let stdout = '';
  let stderr = '';
  let ended = false;
  const watchers = new Set<() => void>();
  const wake = () => {
    for (const watch of watchers) watch();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<KirimRun>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      resolve({ code, stdout, stderr });
      wake();
    }),
  );
  return {
    exited,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = () => {
          const match = pattern.exec(stdout);
          if (match || ended) watchers.delete(watch);
          if (match) resolve(match);
          else if (ended)
            reject(new Error(`kirim ${args.join(' ')} ended without printing ${pattern}:\n${stdout}\n${stderr}`));
        };
        watchers.add(watch);
        watch();
      }),
  };
}
