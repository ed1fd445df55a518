import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';

/** Options of {@link eventRoutes}. */
export interface EventRouteOptions {
  /** Interval of the keep-alive comment; default 15 s. */
  heartbeatMs?: number;
}

/**
 * `GET /events`: server-sent events of the caller's events. Each `id:` is the event's sequence number,
 * so a reconnect with `Last-Event-ID` (or `?last_event_id=`) resumes from the durable log.
 */
export function eventRoutes(router: Router, kirim: Kirim, options: EventRouteOptions = {}): void {
  router.get('/events', async (req, res) => {
    const lastEventId = req.get('last-event-id') ?? req.query.last_event_id;
    const queued: string[] = [];
    let ready = false;
    let stop: (() => void) | undefined;
    // `res` closes when the client goes away (req's own close fires once a bodiless GET is read).
    res.on('close', () => stop?.());
    const write = (frame: string) => (ready ? res.write(frame) : queued.push(frame));
    // Subscribing validates the input and replays the log before any header is sent: a bad id is a plain 422.
    const unsubscribe = await kirim.streams.subscribe(
      actorOf(req),
      lastEventId === undefined ? {} : { last_event_id: lastEventId },
      ({ seq, event }) => {
        write(`id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      },
      () => res.end(),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    if (res.closed) return stop();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    ready = true;
    for (const frame of queued.splice(0)) res.write(frame);
  });
}
