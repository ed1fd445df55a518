import { request, type ClientRequest } from 'node:http';

/** One server-sent event frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A real HTTP client of an SSE stream: frames as they arrive, and a close. */
export interface SseClient {
  status: number;
  frames: SseFrame[];
  /** Resolves once `count` frames matching `filter` arrived. */
  waitFor(count: number, filter?: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame[]>;
  close(): void;
}

/** Opens `url` with `headers` and parses the stream (`status` is set when headers arrive; non-200 bodies are kept as one data frame). */
export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const frames: SseFrame[] = [];
    const waiters: Array<() => void> = [];
    let req: ClientRequest;
    const client: SseClient = {
      status: 0,
      frames,
      waitFor(count, filter = (f) => f.data !== undefined, timeoutMs = 10_000) {
        return new Promise((done, fail) => {
          const timer = setTimeout(
            () => fail(new Error(`expected ${count} frames, got ${frames.filter(filter).length}`)),
            timeoutMs,
          );
          const check = () => {
            const matching = frames.filter(filter);
            if (matching.length < count) return waiters.push(check);
            clearTimeout(timer);
            done(matching);
          };
          check();
        });
      },
      close: () => req.destroy(),
    };
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      client.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            const [, field, value] = /^(id|event|data): ?(.*)$/.exec(line) ?? [];
            if (field) frame[field as 'id' | 'event' | 'data'] = value;
          }
          frames.push(frame);
        }
        for (const wake of waiters.splice(0)) wake();
      });
      res.on('end', () => {
        if (client.status !== 200 && buffer) frames.push({ data: buffer });
        for (const wake of waiters.splice(0)) wake();
      });
      resolve(client);
    });
    req.on('error', (error) => {
      if (!client.status) reject(error);
    });
    req.end();
  });
}
