/** A one-line progress bar. */
export interface ProgressBar {
  /** Shows `fraction` (0 to 1) done, and what is going on. */
  update(fraction: number, note?: string): void;
  /** Clears the line. */
  done(): void;
}

const WIDTH = 30;

/** A progress bar on `stream` when it is a terminal; nothing at all when it is piped or a file (scripts read it). */
export function progressBar(stream: NodeJS.WriteStream, label: string): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  return {
    update(fraction, note = '') {
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * WIDTH);
      const percent = `${Math.round(fraction * 100)}%`.padStart(4);
      stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent} ${note}`);
    },
    done: () => void stream.write('\r\x1b[2K'),
  };
}
