// What the media service decides by the engine's clock: how long the phone gets to upload expired media again.
import { randomBytes } from 'node:crypto';
import { isKirimError, MEDIA_REFRESH_TIMEOUT_MS, type SimulatedNetwork, type Transport } from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { linkedEngineOnClock } from '../support/clock-engine.js';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { testCleanups } from '../support/storage.js';

describe.each(DATABASES)('media on demand on the engine clock on %s', (database) => {
  const cleanups = testCleanups();

  it('answers unavailable once the phone has not uploaded expired media again within the time it gets', async () => {
    // The simulated network, except that the phone never answers a media re-upload request.
    let asked = false;
    const transport = (network: SimulatedNetwork): Transport => ({
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
    });
    const { kirim, storage, clock, network, actor, sessionId } = await linkedEngineOnClock(database, cleanups, {
      phone: '6281500000011',
      transport,
    });

    const data = randomBytes(2000);
    const id = network
      .phone('6281500000012')
      .sendMedia('6281500000011', { type: 'image', data, mimetype: 'image/png' });
    await eventually(async () => (await storage.messages.findByMessageId(sessionId, id)) !== undefined);
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
