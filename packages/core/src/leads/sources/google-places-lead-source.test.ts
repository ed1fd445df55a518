import { describe, expect, it } from 'vitest';
import { refusedUrl, startGooglePlacesStandin } from '../../../../../tests/support/lead-source-standins.js';
import { closeStandinsAfterEach, expectAskedAgainAfter } from '../../../../../tests/support/lead-source-test-kit.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { GooglePlacesLeadSource } from './google-places-lead-source.js';
import { searchAll } from './search-all.js';

const PLACES = Array.from({ length: 5 }, (_, i) => ({
  place_id: `ChIJplace${i}`,
  name: `Kopi Nusantara ${i}`,
  formatted_address: `Jl. Asia Afrika No.${i}, Bandung`,
  lat: -6.92 + i / 1000,
  lng: 107.6,
  phone: i === 3 ? undefined : `+62 812-2000-10${i}${i}`,
  website: i % 2 === 0 ? `https://kopi${i}.example` : undefined,
  rating: 4.1,
}));

describe('GooglePlacesLeadSource', () => {
  const closeAfterTest = closeStandinsAfterEach();
  const google = async (options: { overQueryLimitFirst?: number; apiKey?: string } = {}, clock?: ManualClock) => {
    const standin = await startGooglePlacesStandin({
      apiKey: 'test-key',
      places: PLACES,
      pageSize: 2,
      overQueryLimitFirst: options.overQueryLimitFirst,
    });
    closeAfterTest(standin);
    const source = new GooglePlacesLeadSource({
      apiKey: options.apiKey ?? 'test-key',
      baseUrl: standin.url,
      userAgent: 'test',
      clock,
      pageTokenDelayMs: 0,
      overQueryLimitBackoffMs: 2000,
    });
    return { source, standin };
  };

  it("pages Text Search by next_page_token and reads each place's phone and website from Place Details", async () => {
    const { source, standin } = await google();
    const { candidates, checkpoints } = await searchAll(source, 'kopi di Bandung');

    expect(candidates).toHaveLength(5);
    expect(candidates[0]).toEqual({
      business_name: 'Kopi Nusantara 0',
      address: 'Jl. Asia Afrika No.0, Bandung',
      phone: '+62 812-2000-1000',
      website: 'https://kopi0.example',
      latitude: -6.92,
      longitude: 107.6,
      source: 'google_places',
      extra: {
        place_id: 'ChIJplace0',
        rating: 4.1,
        user_ratings_total: 120,
        types: ['cafe', 'food', 'point_of_interest', 'establishment'],
        business_status: 'OPERATIONAL',
        google_maps_url: 'https://maps.google.com/?cid=ChIJplace0',
      },
    });
    expect(candidates[3]).toMatchObject({ phone: null, website: null });

    const searches = standin.requests.filter((r) => r.path.endsWith('/textsearch/json'));
    expect(searches.map((r) => [r.query.get('query'), r.query.get('pagetoken')])).toEqual([
      ['kopi di Bandung', null],
      [null, 'page-2'],
      [null, 'page-4'],
    ]);
    const details = standin.requests.filter((r) => r.path.endsWith('/details/json'));
    expect(details.map((r) => r.query.get('place_id'))).toEqual(PLACES.map((p) => p.place_id));
    expect(details[0]!.query.get('fields')).toBe('international_phone_number,formatted_phone_number,website,url');
    expect(standin.requests.every((r) => r.query.get('key') === 'test-key')).toBe(true);
    expect(JSON.parse(checkpoints[2]!)).toEqual({ page: 'page-2', index: 1 });
  });

  it('resumes on the page and result after the last checkpoint', async () => {
    const { source, standin } = await google();
    const { candidates } = await searchAll(source, 'kopi di Bandung', {
      resumeFrom: JSON.stringify({ page: 'page-2', index: 1 }),
    });
    expect(candidates.map((c) => c.business_name)).toEqual(['Kopi Nusantara 3', 'Kopi Nusantara 4']);
    expect(
      standin.requests.filter((r) => r.path.endsWith('/textsearch/json')).map((r) => r.query.get('pagetoken')),
    ).toEqual(['page-2', 'page-4']);
  });

  it('backs off and asks again after OVER_QUERY_LIMIT', async () => {
    const clock = new ManualClock();
    const { source, standin } = await google({ overQueryLimitFirst: 1 }, clock);
    const { candidates } = await expectAskedAgainAfter(clock, standin, 2000, () =>
      searchAll(source, 'kopi di Bandung'),
    );
    expect(candidates).toHaveLength(5);
  });

  it("fails with rate_limited after repeated OVER_QUERY_LIMIT, and with Google's message on REQUEST_DENIED", async () => {
    const limited = await google({ overQueryLimitFirst: 10 });
    (limited.source as unknown as { options: { overQueryLimitBackoffMs: number } }).options.overQueryLimitBackoffMs = 1;
    await expect(searchAll(limited.source, 'kopi')).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'Google Places answered OVER_QUERY_LIMIT: You have exceeded your rate-limit for this API.',
    });
    const denied = await google({ apiKey: 'wrong' });
    await expect(searchAll(denied.source, 'kopi')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Google Places answered REQUEST_DENIED: The provided API key is invalid.',
    });
  });

  it('reports health: reachable with a good key, not with a wrong key or nothing listening', async () => {
    expect(await (await google()).source.health()).toMatchObject({ ok: true });
    expect(await (await google({ apiKey: 'wrong' })).source.health()).toEqual({
      ok: false,
      detail: 'Google Places answered REQUEST_DENIED: The provided API key is invalid.',
    });
    const down = new GooglePlacesLeadSource({ apiKey: 'k', baseUrl: await refusedUrl(), userAgent: 'test' });
    expect(await down.health()).toEqual({ ok: false, detail: expect.stringContaining('Google Places is unreachable') });
  });
});
