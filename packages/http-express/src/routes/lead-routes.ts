import type { Kirim } from '@kirim/core';
import type { Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';
import { receiveUpload } from '../upload.js';

/**
 * Leads: CRUD, statistics, bulk status and bulk import (JSON `leads[]`, or a multipart `file`).
 * The fixed paths are registered before `/leads/:id`, which would otherwise take them as ids.
 */
export function leadRoutes(router: Router, kirim: Kirim, options: { maxUploadBytes: number }): void {
  router.get('/leads', async (req, res) => {
    res.json(paged(await kirim.leads.list(actorOf(req), req.query)));
  });

  router.post('/leads', async (req, res) => {
    const { lead, merged } = await kirim.leads.create(actorOf(req), req.body);
    if (merged) res.json(ok(lead, 'Lead merged into the existing lead with the same phone'));
    else res.status(201).json(ok(lead, 'Lead created'));
  });

  router.get('/leads/statistics', async (req, res) => {
    res.json(ok(await kirim.leads.statistics(actorOf(req))));
  });

  router.post('/leads/bulk-import', async (req, res) => {
    const actor = actorOf(req);
    if (!req.is('multipart/form-data')) {
      const report = await kirim.leads.bulkImport(actor, req.body);
      res.json(ok(report, `${report.imported} imported, ${report.merged} merged, ${report.failed} failed`));
      return;
    }
    const upload = await receiveUpload(req, { maxBytes: options.maxUploadBytes });
    try {
      const report = await kirim.leads.importFile(actor, upload);
      res.json(ok(report, `${report.imported} imported, ${report.merged} merged, ${report.failed} failed`));
    } finally {
      await upload.cleanup();
    }
  });

  router.post('/leads/bulk-status', async (req, res) => {
    const result = await kirim.leads.bulkStatus(actorOf(req), req.body);
    res.json(ok(result, `${result.updated} leads updated`));
  });

  router.post('/leads/sync-status', async (req, res) => {
    const result = await kirim.leads.syncStatus(actorOf(req), req.body);
    res.json(ok(result, `${result.updated} leads updated from their messages`));
  });

  router.get('/leads/:id', async (req, res) => {
    res.json(ok(await kirim.leads.get(actorOf(req), req.params.id)));
  });

  router.patch('/leads/:id', async (req, res) => {
    res.json(ok(await kirim.leads.update(actorOf(req), req.params.id, req.body), 'Lead updated'));
  });

  router.delete('/leads/:id', async (req, res) => {
    await kirim.leads.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Lead deleted'));
  });
}
