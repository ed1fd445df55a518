// What the media service decides by the engine's clock: how long the phone gets to upload expired media again.
import { randomBytes } from 'node:crypto';
import {
  createKirim,
  createSimulatedNetwork,
  isKirimError,
  MEDIA_REFRESH_TIMEOUT_MS,
  type Actor,
  type Transport,
} from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

describe.each(DATABASES)('media on demand on the engine clock on %s', (database) => {
  const cleanups = testCleanups();

  it('answers unavailable once the phone has not uploaded expired media again within the time it gets', async () => {
    const storage = await openTestStorage(database, cleanups);
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const network = createSimulatedNetwork({ clock, latencyMs: 0 });
    // The simulated network, except that the phone never answers a media re-upload request.
    let asked = false;
    const transport: Transport = {
      name: 'simulated',
      downloadMedia: (message) => network.transport.downloadMedia(message),
      async connect(options) {
        const connection = await network.transport.connect(options);
        return new Proxy(connection, {
          get: (target, key) => {
            if (key === 'refreshMedia')
              return () => {
                asked = true;
                return new Promise<string>(() => {});
              };
            const value = Reflect.get(target, key);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    };
    const kirim = createKirim({ storage, clock, transport });
    await kirim.start();
    cleanups.push(() => kirim.stop());
    const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
    const actor: Actor = await kirim.accounts.actorFor(user.id);
    const session = await kirim.sessions.create(actor, { session_name: 'device' });
    await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    await network.link(session.id, '6281500000011');
    await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');

    const data = randomBytes(2000);
    const id = network
      .phone('6281500000012')
      .sendMedia('6281500000011', { type: 'image', data, mimetype: 'image/png' });
    await eventually(async () => (await storage.messages.findByMessageId(session.id, id)) !== undefined);
    network.expireMedia(id);

    let outcome: unknown;
    const downloading = kirim.messageMedia.download(actor, id).then(
      () => (outcome = 'served'),
      (error: unknown) => (outcome = error),
    );
    // The time limit starts as the phone is asked.
    await eventually(() => asked);
    await clock.advance(MEDIA_REFRESH_TIMEOUT_MS - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    await downloading;
    expect(isKirimError(outcome, 'unavailable')).toBe(true);
  });
});
