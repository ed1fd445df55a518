import { describe, expect, it } from 'vitest';
import { aUser, type ConformanceContext } from './conformance-context.js';

const T0 = '2026-01-01T00:00:00.000Z';

/** Conformance of `optOuts`: the numbers that asked a user to stop messaging them. */
export function describeOptOuts(ctx: ConformanceContext): void {
  describe('OptOutRepository', () => {
    it('finds which of the phones opted out of the user, and only of that user', async () => {
      const storage = ctx.storage();
      const user = await storage.users.insert(aUser());
      const other = await storage.users.insert(aUser());
      await storage.optOuts.add(user.id, '6281300000001', 'replied stop', T0);
      await storage.optOuts.add(other.id, '6281300000002', 'replied stop', T0);
      expect(await storage.optOuts.filter(user.id, ['6281300000001', '6281300000002', '6281300000003'])).toEqual(
        new Set(['6281300000001']),
      );
      expect(await storage.optOuts.filter(other.id, ['6281300000001', '6281300000002'])).toEqual(
        new Set(['6281300000002']),
      );
      expect(await storage.optOuts.filter(user.id, [])).toEqual(new Set());
    });

    it('takes a repeated opt-out as no error, the phone staying opted out once', async () => {
      const storage = ctx.storage();
      const user = await storage.users.insert(aUser());
      await storage.optOuts.add(user.id, '6281300000001', 'replied stop', T0);
      await storage.optOuts.add(user.id, '6281300000001', 'replied unsubscribe', '2026-01-02T00:00:00.000Z');
      expect(await storage.optOuts.filter(user.id, ['6281300000001', '6281300000001'])).toEqual(
        new Set(['6281300000001']),
      );
    });

    it('checks more phones at once than one statement holds', async () => {
      const storage = ctx.storage();
      const user = await storage.users.insert(aUser());
      const phones = Array.from({ length: 2500 }, (_, i) => `62813${String(i).padStart(8, '0')}`);
      const opted = [phones[0], phones[999], phones[1000], phones[2499]];
      for (const phone of opted) await storage.optOuts.add(user.id, phone, 'replied stop', T0);
      expect(await storage.optOuts.filter(user.id, phones)).toEqual(new Set(opted));
    });

    it("forgets a removed user's opt-outs", async () => {
      const storage = ctx.storage();
      const user = await storage.users.insert(aUser());
      await storage.optOuts.add(user.id, '6281300000001', 'replied stop', T0);
      expect(await storage.users.remove(user.id)).toBe(true);
      expect(await storage.optOuts.filter(user.id, ['6281300000001'])).toEqual(new Set());
    });
  });
}
