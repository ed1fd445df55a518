/** Looking at an upload's first bytes (to tell its kind, to sniff a CSV's separator) and still reading it whole. */
import { Readable } from 'node:stream';

/** A source stream whose first bytes can be looked at, then replayed in full. */
export class PeekedSource {
  private readonly iterator: AsyncIterator<unknown>;
  private readonly buffered: Buffer[] = [];
  private readonly sourceErrors = new WeakSet<object>();
  private ended = false;

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Reads until `bytes` are buffered (or, with `line`, a line ending after some non-blank text) or the end. */
  async peek(bytes: number, line: boolean): Promise<Buffer> {
    let head = Buffer.alloc(0);
    while (!this.ended && head.length < bytes && !(line && hasFirstLine(head))) {
      const chunk = await this.next();
      if (chunk === null) break;
      this.buffered.push(chunk);
      head = Buffer.concat([head, chunk]);
    }
    return head;
  }

  /** The whole source, from its first byte. */
  stream(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    yield* this.buffered.splice(0);
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) yield chunk;
  }

  isSourceError(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.sourceErrors.has(error);
  }

  private async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    try {
      const { value, done } = await this.iterator.next();
      if (done) {
        this.ended = true;
        return null;
      }
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value));
    } catch (error) {
      // Remembered so a failing disk or aborted upload is not reported as the user's bad file.
      if (typeof error === 'object' && error !== null) this.sourceErrors.add(error);
      throw error;
    }
  }
}

/** True once `head` holds a complete non-blank line: the header line the separator is sniffed from. */
function hasFirstLine(head: Buffer): boolean {
  return /[^\s\uFEFF][^\r\n]*[\r\n]/.test(head.toString('utf8'));
}
