import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** A webhook receiver on loopback that records every request and answers with `respond`'s status. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Decides the status of each request (default 204); may change during a test. */
  respond: (hook: ReceivedHook, index: number) => number;
  /** Resolves once at least `count` requests arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedHook[]>;
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver} on 127.0.0.1 (a fixed `port` lets a test restart it at the same URL). */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const waiters: Array<() => void> = [];
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respond: () => 204,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (receiver.received.length < count) return false;
          clearTimeout(timer);
          resolve(receiver.received);
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} webhook requests, got ${receiver.received.length}`)),
          timeoutMs,
        );
        const waiter = () => {
          if (!check()) waiters.push(waiter);
        };
        waiter();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const hook = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      const index = receiver.received.push(hook) - 1;
      res.writeHead(receiver.respond(hook, index)).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
