import { describe, expect, it } from 'vitest';
import {
  refusedUrl,
  startNominatimStandin,
  startOverpassStandin,
  type OverpassElement,
} from '../../../../../tests/support/lead-source-standins.js';
import { closeStandinsAfterEach, expectAskedAgainAfter } from '../../../../../tests/support/lead-source-test-kit.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { leadSourceUserAgent } from './create-lead-source.js';
import { OpenStreetMapLeadSource, overpassQuery, splitQuery } from './openstreetmap-lead-source.js';
import { searchAll } from './search-all.js';

const BANDUNG = {
  name: 'Bandung',
  osm_type: 'relation' as const,
  osm_id: 13290062,
  boundingbox: [-6.97, -6.84, 107.54, 107.73] as [number, number, number, number],
};
const BANDUNG_AREA = String(3_600_000_000 + BANDUNG.osm_id);

const ELEMENTS: OverpassElement[] = [
  {
    type: 'node',
    id: 101,
    lat: -6.9175,
    lon: 107.6091,
    tags: {
      name: 'Kopi Braga',
      amenity: 'cafe',
      phone: '+62 22 4201234; +62 812 2000 1111',
      'addr:street': 'Jalan Braga',
      'addr:housenumber': '12',
      'addr:city': 'Bandung',
      'addr:postcode': '40111',
      opening_hours: 'Mo-Su 08:00-22:00',
    },
  },
  { type: 'node', id: 102, lat: -6.9, lon: 107.6, tags: { amenity: 'cafe', cuisine: 'kopi' } },
  {
    type: 'way',
    id: 201,
    center: { lat: -6.8941, lon: 107.6102 },
    tags: {
      name: 'Warung Kopi Dago',
      'contact:phone': '0812-3000-2222',
      'contact:website': 'https://kopidago.example',
      'addr:full': 'Jl. Ir. H. Juanda 100, Dago',
    },
  },
  { type: 'node', id: 103, lat: -6.91, lon: 107.61, tags: { name: 'Roti Bakar 88', shop: 'bakery' } },
];

describe('OpenStreetMapLeadSource', () => {
  const closeAfterTest = closeStandinsAfterEach();
  const osm = async (
    overpass: Parameters<typeof startOverpassStandin>[0] = {
      elements: { [BANDUNG_AREA]: ELEMENTS, '*': ELEMENTS.slice(0, 1) },
    },
    clock?: ManualClock,
  ) => {
    const nominatim = await startNominatimStandin({ places: [BANDUNG] });
    const overpassStandin = await startOverpassStandin(overpass);
    closeAfterTest(nominatim, overpassStandin);
    const source = new OpenStreetMapLeadSource({
      nominatimUrl: nominatim.url,
      overpassUrl: overpassStandin.url,
      userAgent: leadSourceUserAgent('ops@example.com'),
      clock,
      nominatimIntervalMs: 0,
    });
    return { source, nominatim, overpass: overpassStandin };
  };

  it('splits the business term from the place at " di " or " in ", else searches everywhere', () => {
    expect(splitQuery('kopi di Bandung')).toEqual({ term: 'kopi', place: 'Bandung' });
    expect(splitQuery('  warung makan DI Jakarta Selatan ')).toEqual({
      term: 'warung makan',
      place: 'Jakarta Selatan',
    });
    expect(splitQuery('coffee in Bandung')).toEqual({ term: 'coffee', place: 'Bandung' });
    expect(splitQuery('kopi')).toEqual({ term: 'kopi' });
    expect(overpassQuery('kopi "susu"', undefined, 25)).toContain('node["name"~"kopi \\"susu\\"",i];');
  });

  it('finds the area with Nominatim, asks Overpass within it, and maps name, address, phone, website and coordinates', async () => {
    const { source, nominatim, overpass } = await osm();
    const { candidates, checkpoints } = await searchAll(source, 'kopi di Bandung');

    expect(nominatim.requests).toHaveLength(1);
    expect(Object.fromEntries(nominatim.requests[0]!.query)).toEqual({ format: 'jsonv2', limit: '1', q: 'Bandung' });
    const ql = new URLSearchParams(overpass.requests[0]!.body).get('data')!;
    expect(overpass.requests[0]!.method).toBe('POST');
    expect(ql).toContain(`area(${BANDUNG_AREA})->.a;`);
    expect(ql).toContain('node["name"~"kopi",i](area.a);');
    expect(ql).toContain('way["cuisine"~"kopi",i](area.a);');
    expect(ql).toContain('out center tags;');
    for (const request of [...nominatim.requests, ...overpass.requests])
      expect(request.headers['user-agent']).toBe('Kirim/0.1 (WhatsApp gateway lead search; contact: ops@example.com)');

    // The element without a name is no lead; the bakery does not match "kopi".
    expect(candidates).toEqual([
      {
        business_name: 'Kopi Braga',
        address: 'Jalan Braga 12, Bandung, 40111',
        phone: '+62 22 4201234',
        website: null,
        latitude: -6.9175,
        longitude: 107.6091,
        source: 'openstreetmap',
        extra: { osm_type: 'node', osm_id: 101, amenity: 'cafe', opening_hours: 'Mo-Su 08:00-22:00' },
      },
      {
        business_name: 'Warung Kopi Dago',
        address: 'Jl. Ir. H. Juanda 100, Dago',
        phone: '0812-3000-2222',
        website: 'https://kopidago.example',
        latitude: -6.8941,
        longitude: 107.6102,
        source: 'openstreetmap',
        extra: { osm_type: 'way', osm_id: 201 },
      },
    ]);
    expect(checkpoints).toEqual(['1', '3']);
  });

  it('resumes after the last checkpoint, and answers a repeated search from its cache', async () => {
    const { source, nominatim, overpass } = await osm();
    const first = await searchAll(source, 'kopi di Bandung');
    const resumed = await searchAll(source, 'kopi di Bandung', { resumeFrom: first.checkpoints[0] });
    expect(resumed.candidates.map((c) => c.business_name)).toEqual(['Warung Kopi Dago']);
    expect(nominatim.requests).toHaveLength(1);
    expect(overpass.requests).toHaveLength(1);
  });

  it('searches without an area when the query names no place', async () => {
    const { source, nominatim, overpass } = await osm();
    const { candidates } = await searchAll(source, 'kopi');
    expect(nominatim.requests).toHaveLength(0);
    expect(new URLSearchParams(overpass.requests[0]!.body).get('data')).not.toContain('area');
    expect(candidates.map((c) => c.business_name)).toEqual(['Kopi Braga']);
  });

  it('sends one request at a time to each service', async () => {
    const { source, nominatim, overpass } = await osm();
    await Promise.all(
      ['kopi di Bandung', 'roti di Bandung', 'bakso di Bandung', 'kopi'].map((q) => searchAll(source, q)),
    );
    expect(nominatim.maxConcurrent).toBe(1);
    expect(overpass.maxConcurrent).toBe(1);
    expect(overpass.requests).toHaveLength(4);
  });

  it('waits for Retry-After when Overpass answers 429, then asks again', async () => {
    const clock = new ManualClock();
    const { source, overpass } = await osm(
      { elements: { [BANDUNG_AREA]: ELEMENTS }, rateLimitFirst: 1, retryAfterSeconds: 30 },
      clock,
    );
    const { candidates } = await expectAskedAgainAfter(clock, overpass, 30_000, () =>
      searchAll(source, 'kopi di Bandung'),
    );
    expect(candidates).toHaveLength(2);
    expect(overpass.requests).toHaveLength(2);
  });

  it('fails with rate_limited when Overpass keeps answering 429', async () => {
    const { source } = await osm({ elements: {}, rateLimitFirst: 10, retryAfterSeconds: 3600 });
    await expect(searchAll(source, 'kopi di Bandung')).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'Overpass is rate limiting requests (HTTP 429; retry after 3600 s)',
    });
  });

  it('fails naming the service: an unknown place, a 500, a refused connection', async () => {
    const { source } = await osm();
    await expect(searchAll(source, 'kopi di Atlantis')).rejects.toMatchObject({
      code: 'validation',
      message: 'OpenStreetMap knows no place named "Atlantis"',
    });

    const failing = await osm({ elements: {}, failWith: 504 });
    await expect(searchAll(failing.source, 'kopi di Bandung')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Overpass answered HTTP 504: Error : runtime error: the server is overloaded',
    });

    const down = new OpenStreetMapLeadSource({
      nominatimUrl: await refusedUrl(),
      overpassUrl: await refusedUrl(),
      userAgent: 'test',
      nominatimIntervalMs: 0,
    });
    await expect(searchAll(down, 'kopi di Bandung')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^Nominatim is unreachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/),
    });
  });

  it('reports health from both services', async () => {
    const { source } = await osm();
    expect(await source.health()).toMatchObject({ ok: true });
    const down = new OpenStreetMapLeadSource({
      nominatimUrl: await refusedUrl(),
      userAgent: 'test',
      nominatimIntervalMs: 0,
    });
    expect(await down.health()).toEqual({ ok: false, detail: expect.stringContaining('Nominatim is unreachable') });
  });
});
