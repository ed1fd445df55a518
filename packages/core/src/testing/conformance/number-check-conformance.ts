import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context.js';

const DAY1 = '2026-01-01T00:00:00.000Z';
const DAY2 = '2026-01-02T00:00:00.000Z';
const ON = { phone: '6281300000001', exists: true, jid: '6281300000001@s.whatsapp.net', lid: '123456789012345@lid' };
const OFF = { phone: '6281300000002', exists: false, jid: null, lid: null };

/** Conformance of `numberChecks`: whether numbers are on WhatsApp, as last asked. */
export function describeNumberChecks(ctx: ConformanceContext): void {
  describe('NumberCheckRepository', () => {
    it('finds the stored answers asked at or after a time, and only for the phones asked', async () => {
      const storage = ctx.storage();
      await storage.numberChecks.save([ON, OFF], DAY1);
      const found = await storage.numberChecks.find([ON.phone, OFF.phone, '6281300000003'], DAY1);
      expect(found.sort((a, b) => a.phone.localeCompare(b.phone))).toEqual([ON, OFF]);
      expect(await storage.numberChecks.find([ON.phone, OFF.phone], DAY2)).toEqual([]);
      expect(await storage.numberChecks.find([], DAY1)).toEqual([]);
    });

    it('replaces an earlier answer for the same phone with the newer one', async () => {
      const storage = ctx.storage();
      await storage.numberChecks.save([OFF], DAY1);
      const joined = { ...OFF, exists: true, jid: `${OFF.phone}@s.whatsapp.net`, lid: '987654321098765@lid' };
      await storage.numberChecks.save([joined, joined], DAY2);
      expect(await storage.numberChecks.find([OFF.phone], DAY2)).toEqual([joined]);
    });
  });
}
