import { sendFailedError, type Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

type SendResult = Awaited<ReturnType<Kirim['sends']['sendText']>>;

/**
 * Answers a send: 200 once sent, 202 with the row when it is still queued after the wait (a rate
 * limit, a reconnecting device), 422 naming the field when the request's input made it fail, and 503
 * when WhatsApp refused it.
 */
export function answer(res: Response, result: SendResult): void {
  if (result.status === 'failed' || result.status === 'cancelled') throw sendFailedError(result);
  if (result.status === 'queued' || result.status === 'sending' || result.status === 'unknown') {
    res.status(202).json(ok(result, 'Message queued; follow its status in the message history or by webhook'));
    return;
  }
  res.json(ok(result, 'Message sent successfully'));
}

/** The `Idempotency-Key` header: a retried request with the same key returns the first result (core checks its length). */
export const keyOf = (req: Request) => req.get('idempotency-key');

/** The answer to an accepted bulk job, warning when the sending limits stretch it past a day. */
function bulkAccepted(job: Awaited<ReturnType<Kirim['bulk']['createText']>>): string {
  const queued = `Bulk job queued for ${job.total} recipients`;
  if (!job.estimated_days || job.estimated_days <= 1) return queued;
  return `${queued}; at the sessions' sending limits it needs about ${job.estimated_days} days (expected to finish ${job.estimated_finish_at})`;
}

/** The immediate sends, each answered as `answer` says: the path under `/whatsapp/messages` and its method. */
const IMMEDIATE_SENDS = [
  ['text', 'sendText'],
  ['media', 'sendMedia'],
  ['group/text', 'sendGroupText'],
  ['group/media', 'sendGroupMedia'],
  ['location', 'sendLocation'],
  ['contact', 'sendContact'],
  ['poll', 'sendPoll'],
  ['sticker', 'sendSticker'],
] as const satisfies ReadonlyArray<readonly [string, keyof Kirim['sends']]>;

/** Sends, bulk jobs and scheduled messages under `/whatsapp/messages`. */
export function messageRoutes(router: Router, kirim: Kirim): void {
  for (const [path, send] of IMMEDIATE_SENDS)
    router.post(`/whatsapp/messages/${path}`, async (req, res) =>
      answer(res, await kirim.sends[send](actorOf(req), req.body, keyOf(req))),
    );

  router.post('/whatsapp/messages/bulk/text', async (req, res) => {
    const job = await kirim.bulk.createText(actorOf(req), req.body);
    res.status(201).json(ok(job, bulkAccepted(job)));
  });
  router.post('/whatsapp/messages/bulk/media', async (req, res) => {
    const job = await kirim.bulk.createMedia(actorOf(req), req.body);
    res.status(201).json(ok(job, bulkAccepted(job)));
  });
  router.get('/whatsapp/messages/bulk', async (req, res) => {
    res.json(paged(await kirim.bulk.list(actorOf(req), req.query)));
  });
  router.get('/whatsapp/messages/bulk/:jobId/status', async (req, res) => {
    res.json(ok(await kirim.bulk.status(actorOf(req), req.params.jobId, req.query)));
  });
  router.delete('/whatsapp/messages/bulk/:jobId', async (req, res) => {
    res.json(ok(await kirim.bulk.cancel(actorOf(req), req.params.jobId), 'Bulk job cancelled'));
  });

  router.post('/whatsapp/messages/schedule/text', async (req, res) => {
    res.status(201).json(ok(await kirim.sends.scheduleText(actorOf(req), req.body), 'Message scheduled'));
  });
  router.post('/whatsapp/messages/schedule/media', async (req, res) => {
    res.status(201).json(ok(await kirim.sends.scheduleMedia(actorOf(req), req.body), 'Message scheduled'));
  });
  router.get('/whatsapp/messages/schedule', async (req, res) => {
    res.json(paged(await kirim.sends.listScheduled(actorOf(req), req.query)));
  });
  router.get('/whatsapp/messages/schedule/:id/status', async (req, res) => {
    res.json(ok(await kirim.sends.scheduledStatus(actorOf(req), req.params.id)));
  });
  router.delete('/whatsapp/messages/schedule/:id', async (req, res) => {
    res.json(ok(await kirim.sends.cancelScheduled(actorOf(req), req.params.id), 'Scheduled message cancelled'));
  });
}
