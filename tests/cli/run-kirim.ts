import { spawn } from 'node:child_process';
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
  const child = spawn(command, [...prefix, ...args], {
    cwd: ROOT,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watch of watchers) watch();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<KirimRun>((resolve) =>
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
      for (const watch of watchers) watch();
    }),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    exited,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = () => {
          const match = pattern.exec(stdout);
          if (match) {
            watchers.delete(watch);
            resolve(match);
          } else if (ended || child.exitCode !== null) {
            watchers.delete(watch);
            reject(new Error(`kirim ${args.join(' ')} ended without printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        watchers.add(watch);
        watch();
      }),
  };
}

/** Runs `kirim ...args` with `env` to its end. */
export const runKirim = (args: string[], env: Record<string, string>): Promise<KirimRun> =>
  startKirim(args, env).exited;

/** Runs `kirim ...args` on a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
export function runKirimOnTerminal(args: string[], env: Record<string, string>): Promise<KirimRun> {
  const quoted = [...KIRIM, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', quoted, '/dev/null'], {
    cwd: ROOT,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
