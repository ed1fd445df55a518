import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../announcements/announcement-schemas.js';
import type { ConformanceContext } from './conformance-context.js';

function anAnnouncement(overrides: Partial<Announcement> = {}): Announcement {
  return {
    id: randomUUID(),
    title: 'Maintenance',
    message: 'Tonight',
    type: 'maintenance',
    is_active: true,
    starts_at: null,
    expires_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** Conformance of `announcements`. */
export function describeAnnouncements(ctx: ConformanceContext): void {
  describe('AnnouncementRepository', () => {
    it('round-trips every field, booleans as booleans', async () => {
      const a = anAnnouncement({
        is_active: false,
        starts_at: '2026-02-01T00:00:00.000Z',
        expires_at: '2026-03-01T00:00:00.000Z',
      });
      await ctx.storage().announcements.insert(a);
      expect(await ctx.storage().announcements.get(a.id)).toEqual(a);
    });

    it('lists as visible only active ones whose window holds now', async () => {
      const now = '2026-06-01T00:00:00.000Z';
      const open = anAnnouncement();
      const current = anAnnouncement({ starts_at: now, expires_at: '2026-07-01T00:00:00.000Z' });
      const future = anAnnouncement({ starts_at: '2026-06-02T00:00:00.000Z' });
      const expired = anAnnouncement({ expires_at: now });
      const inactive = anAnnouncement({ is_active: false });
      for (const a of [open, current, future, expired, inactive]) await ctx.storage().announcements.insert(a);
      const visible = await ctx.storage().announcements.listVisible(now);
      expect(visible.map((a) => a.id).sort()).toEqual([open.id, current.id].sort());
    });

    it('updates, pages newest first and removes', async () => {
      const older = anAnnouncement({ created_at: '2026-01-01T00:00:00.000Z' });
      const newer = anAnnouncement({ created_at: '2026-02-01T00:00:00.000Z' });
      await ctx.storage().announcements.insert(older);
      await ctx.storage().announcements.insert(newer);
      expect((await ctx.storage().announcements.update(older.id, { is_active: false }))?.is_active).toBe(false);
      const page = await ctx.storage().announcements.list({ limit: 1, offset: 0 });
      expect(page).toMatchObject({ total: 2, items: [{ id: newer.id }] });
      expect(await ctx.storage().announcements.remove(newer.id)).toBe(true);
      expect(await ctx.storage().announcements.get(newer.id)).toBeUndefined();
    });
  });
}
