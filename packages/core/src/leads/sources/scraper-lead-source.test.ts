import { describe, expect, it } from 'vitest';
import { refusedUrl, startScraperStandin } from '../../../../../tests/support/lead-source-standins.js';
import { closeStandinsAfterEach } from '../../../../../tests/support/lead-source-test-kit.js';
import { ScraperLeadSource } from './scraper-lead-source.js';
import { searchAll } from './search-all.js';

const RESULTS = Array.from({ length: 7 }, (_, i) => ({
  business_name: `Bengkel ${i}`,
  address: `Jl. Soekarno Hatta ${i}`,
  phone: `0813200030${i}${i}`,
  website: null,
  latitude: -6.94,
  longitude: String(107.6 + i / 100) as unknown as number,
  extra: { rating: 4 },
}));

describe('ScraperLeadSource', () => {
  const closeAfterTest = closeStandinsAfterEach();
  const scraper = async (options: Partial<Parameters<typeof startScraperStandin>[0]> = {}) => {
    const standin = await startScraperStandin({ results: RESULTS, pageSize: 3, ...options });
    closeAfterTest(standin);
    return { source: new ScraperLeadSource({ baseUrl: `${standin.url}/`, userAgent: 'test' }), standin };
  };

  it('follows next_cursor page by page, sending the query, the limit and the cursor', async () => {
    const { source, standin } = await scraper();
    const { candidates, checkpoints } = await searchAll(source, 'bengkel di Bandung', { limit: 7 });
    expect(candidates).toHaveLength(7);
    expect(candidates[1]).toEqual({
      business_name: 'Bengkel 1',
      address: 'Jl. Soekarno Hatta 1',
      phone: '081320003011',
      website: null,
      latitude: -6.94,
      longitude: 107.61,
      source: 'scraper',
      extra: { rating: 4 },
    });
    expect(standin.requests.map((r) => JSON.parse(r.body))).toEqual([
      { query: 'bengkel di Bandung', limit: 7, cursor: null },
      { query: 'bengkel di Bandung', limit: 7, cursor: '3' },
      { query: 'bengkel di Bandung', limit: 7, cursor: '6' },
    ]);
    expect(standin.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(checkpoints[4]!)).toEqual({ page: '3', index: 2 });
  });

  it('resumes from a checkpoint without asking for the pages before it', async () => {
    const { source, standin } = await scraper();
    const { candidates } = await searchAll(source, 'bengkel', {
      limit: 7,
      resumeFrom: JSON.stringify({ page: '3', index: 2 }),
    });
    expect(candidates.map((c) => c.business_name)).toEqual(['Bengkel 5', 'Bengkel 6']);
    expect(standin.requests.map((r) => JSON.parse(r.body).cursor)).toEqual(['3', '6']);
  });

  it("fails with the service's own error, or naming a refused connection", async () => {
    const { source } = await scraper({ failWith: { status: 502, error: 'Google Maps blocked the scraper (captcha)' } });
    await expect(searchAll(source, 'bengkel')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'The lead scraper answered HTTP 502: Google Maps blocked the scraper (captcha)',
    });
    const down = new ScraperLeadSource({ baseUrl: await refusedUrl(), userAgent: 'test' });
    await expect(searchAll(down, 'bengkel')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('reports health from GET /health', async () => {
    expect(await (await scraper()).source.health()).toEqual({ ok: true, detail: 'scraper stand-in ready' });
    expect(await (await scraper({ healthy: false })).source.health()).toEqual({
      ok: false,
      detail: 'The lead scraper answered HTTP 503: browser pool exhausted',
    });
  });
});
