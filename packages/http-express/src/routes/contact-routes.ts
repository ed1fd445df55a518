import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';
import { receiveUpload } from '../upload.js';

/** Contacts: CRUD, statistics, bulk delete, spreadsheet import, export and template. */
export function contactRoutes(router: Router, kirim: Kirim, options: { maxUploadBytes: number }): void {
  router.get('/contacts', async (req, res) => {
    res.json(paged(await kirim.contacts.list(actorOf(req), req.query)));
  });

  router.post('/contacts', async (req, res) => {
    res.status(201).json(ok(await kirim.contacts.create(actorOf(req), req.body), 'Contact created'));
  });

  router.get('/contacts/statistics', async (req, res) => {
    res.json(ok(await kirim.contacts.statistics(actorOf(req))));
  });

  router.post('/contacts/bulk-delete', async (req, res) => {
    const result = await kirim.contacts.bulkRemove(actorOf(req), req.body);
    res.json(ok(result, `${result.deleted} contacts deleted`));
  });

  router.post('/contacts/import', async (req, res) => {
    const upload = await receiveUpload(req, { maxBytes: options.maxUploadBytes });
    try {
      const report = await kirim.contacts.importFile(actorOf(req), upload, upload.fields);
      res.json(
        ok(
          report,
          `${report.imported} imported, ${report.updated} updated, ${report.skipped} skipped, ${report.failed} failed`,
        ),
      );
    } finally {
      await upload.cleanup();
    }
  });

  router.get('/contacts/export', async (req, res) => {
    const file = await kirim.contacts.prepareExport(actorOf(req), req.query);
    res.attachment(file.filename).type(file.contentType);
    await file.write(res);
  });

  router.get('/contacts/template', async (req, res) => {
    actorOf(req);
    res
      .attachment('contacts-import-template.xlsx')
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    await kirim.contacts.writeTemplate(res);
  });

  router.get('/contacts/:id', async (req, res) => {
    res.json(ok(await kirim.contacts.get(actorOf(req), req.params.id)));
  });

  const update = async (req: Request<{ id: string }>, res: Response) => {
    res.json(ok(await kirim.contacts.update(actorOf(req), req.params.id, req.body), 'Contact updated'));
  };
  router.route('/contacts/:id').put(update).patch(update);

  router.delete('/contacts/:id', async (req, res) => {
    await kirim.contacts.remove(actorOf(req), req.params.id);
    res.json(ok(null, 'Contact deleted'));
  });
}
