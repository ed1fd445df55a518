import type { Kirim } from '@kirim/core';
import type { Request, Response, Router } from 'express';
import { actorOf } from '../auth.js';
import { ok, paged } from '../envelope.js';

/**
 * Lead scrape tasks and the lead source's health. Registered before the lead routes: `/leads/tasks`
 * and `/leads/scraper-health` would otherwise be taken as lead ids by `GET /leads/:id`.
 */
export function leadTaskRoutes(router: Router, kirim: Kirim): void {
  // Both paths of the document start a task in the background and answer its id at once.
  const scrape = async (req: Request, res: Response) => {
    const task = await kirim.leadTasks.scrape(actorOf(req), req.body);
    res.status(202).json(ok(task, 'Scrape task queued; poll /leads/scrape/task/{task_id} for progress'));
  };
  router.post('/leads/scrape', scrape);
  router.post('/leads/scrape/async', scrape);

  router.get('/leads/scrape/task/:taskId', async (req, res) => {
    res.json(ok(await kirim.leadTasks.get(actorOf(req), req.params.taskId)));
  });

  router.get('/leads/tasks', async (req, res) => {
    res.json(paged(await kirim.leadTasks.list(actorOf(req), req.query)));
  });

  router.get('/leads/scraper-health', async (req, res) => {
    const health = await kirim.leadTasks.health(actorOf(req));
    res.status(health.ok ? 200 : 503).json({
      success: health.ok,
      data: health,
      message: health.ok ? 'Lead source reachable' : 'Lead source unreachable',
    });
  });
}
