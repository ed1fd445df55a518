import type { Clock } from '../../clock.js';
import { KirimError } from '../../errors.js';
import type { LeadCandidate, LeadSearchProgress, LeadSearchQuery, LeadSource } from './lead-source.js';
import { probeHealth } from './probe-health.js';
import { SourceHttpClient, type SourceHttpClientOptions } from './source-http-client.js';

/** The public Nominatim instance, the default `nominatimUrl`. */
export const DEFAULT_NOMINATIM_URL = 'https://nominatim.openstreetmap.org';
/** The public Overpass instance, the default `overpassUrl`. */
export const DEFAULT_OVERPASS_URL = 'https://overpass-api.de';

/** Options of {@link OpenStreetMapLeadSource}. */
export interface OpenStreetMapLeadSourceOptions {
  /** Default `https://nominatim.openstreetmap.org`. */
  nominatimUrl?: string;
  /** Default `https://overpass-api.de` (queries go to `{url}/api/interpreter`). */
  overpassUrl?: string;
  /** Identifies this application to both services, as their usage policies ask; see {@link leadSourceUserAgent}. */
  userAgent: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Least time between two Nominatim requests; default 1000 ms (its policy: at most one per second). */
  nominatimIntervalMs?: number;
  /** Least time between two Overpass requests; default 0 (one at a time). */
  overpassIntervalMs?: number;
  /** Overpass's server-side time limit for one query; default 60 s. */
  overpassTimeoutSeconds?: number;
}

/** A Nominatim `format=jsonv2` search result (the fields used). */
interface NominatimPlace {
  osm_type?: string;
  osm_id?: number;
  display_name?: string;
  /** `[south, north, west, east]`, as strings. */
  boundingbox?: string[];
}

/** An Overpass `[out:json]` element with `out center tags`. */
interface OverpassElement {
  type: string;
  id: number;
  lat?: number;
  lon?: number;
  center?: { lat: number; lon: number };
  tags?: Record<string, string>;
}

/** Tags copied into the lead's extra fields when present. */
const EXTRA_TAGS = [
  'amenity',
  'shop',
  'cuisine',
  'craft',
  'office',
  'tourism',
  'opening_hours',
  'brand',
  'email',
  'contact:email',
  'contact:instagram',
  'contact:facebook',
];

// Overpass area ids are the OSM id offset by type: https://wiki.openstreetmap.org/wiki/Overpass_API/Overpass_QL#By_area_(area)
const AREA_OFFSET: Record<string, number> = { relation: 3_600_000_000, way: 2_400_000_000 };

/**
 * Businesses from OpenStreetMap, no key needed: Nominatim finds the place named in the query
 * (`kopi di Bandung`, `coffee in Bandung`), Overpass finds the nodes and ways in it whose name, amenity,
 * shop or cuisine matches the business term. Both are asked one request at a time with a User-Agent
 * naming a contact, and answers are cached, as the usage policies of the public instances require
 * (https://operations.osmfoundation.org/policies/nominatim/, https://dev.overpass-api.de/overpass-doc/en/preface/commons.html).
 */
export class OpenStreetMapLeadSource implements LeadSource {
  readonly name = 'openstreetmap';
  private readonly nominatimUrl: string;
  private readonly overpassUrl: string;
  private readonly nominatim: SourceHttpClient;
  private readonly overpass: SourceHttpClient;

  constructor(private readonly options: OpenStreetMapLeadSourceOptions) {
    this.nominatimUrl = trimSlash(options.nominatimUrl ?? DEFAULT_NOMINATIM_URL);
    this.overpassUrl = trimSlash(options.overpassUrl ?? DEFAULT_OVERPASS_URL);
    // Both services see the same application: one User-Agent, one clock.
    const client = (service: string, policy: Omit<SourceHttpClientOptions, 'service' | 'userAgent' | 'clock'>) =>
      new SourceHttpClient({ service, userAgent: options.userAgent, clock: options.clock, ...policy });
    this.nominatim = client('Nominatim', {
      minIntervalMs: options.nominatimIntervalMs ?? 1000,
      cacheSize: 500,
      cacheTtlMs: 24 * 3_600_000,
    });
    this.overpass = client('Overpass', {
      minIntervalMs: options.overpassIntervalMs ?? 0,
      cacheSize: 50,
      cacheTtlMs: 3_600_000,
      timeoutMs: ((options.overpassTimeoutSeconds ?? 60) + 15) * 1000,
    });
  }

  async *search(query: LeadSearchQuery, progress: LeadSearchProgress): AsyncIterable<LeadCandidate> {
    const { term, place } = splitQuery(query.text);
    const area = place === undefined ? undefined : await this.findArea(place, progress.signal);
    const body = `data=${encodeURIComponent(overpassQuery(term, area, this.options.overpassTimeoutSeconds ?? 60))}`;
    const answer = await this.overpass.json<{ elements?: OverpassElement[]; remark?: string }>(
      `${this.overpassUrl}/api/interpreter`,
      {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal: progress.signal,
        cache: true,
      },
    );
    // Overpass reports a query that ran out of time or memory as a 200 with a remark, not an HTTP error.
    if (answer.remark && /error/i.test(answer.remark))
      throw new KirimError('unavailable', `Overpass could not run the query: ${answer.remark.trim().slice(0, 200)}`);
    // The cursor is a position in Overpass's answer, which is ordered by type and id: the same query gives it again.
    const start = Number(progress.resumeFrom ?? 0) || 0;
    const elements = answer.elements ?? [];
    for (let index = start; index < elements.length; index++) {
      const candidate = toCandidate(elements[index]!);
      if (!candidate) continue;
      progress.checkpoint(String(index + 1));
      yield candidate;
    }
  }

  health() {
    return probeHealth(async () => {
      await this.nominatim.text(`${this.nominatimUrl}/status?format=json`);
      await this.overpass.text(`${this.overpassUrl}/api/status`, { headers: { accept: 'text/plain' } });
      return { ok: true, detail: `Nominatim (${this.nominatimUrl}) and Overpass (${this.overpassUrl}) answer` };
    });
  }

  private async findArea(place: string, signal: AbortSignal): Promise<OverpassArea> {
    const url = `${this.nominatimUrl}/search?format=jsonv2&limit=1&q=${encodeURIComponent(place)}`;
    const [found] = await this.nominatim.json<NominatimPlace[]>(url, { signal, cache: true });
    if (!found)
      throw new KirimError('validation', `OpenStreetMap knows no place named "${place}"`, {
        details: { query: [`no place named "${place}" was found`] },
      });
    const offset = found.osm_type ? AREA_OFFSET[found.osm_type] : undefined;
    if (offset !== undefined && typeof found.osm_id === 'number') return { areaId: offset + found.osm_id };
    const box = found.boundingbox?.map(Number);
    if (!box || box.length !== 4 || box.some(Number.isNaN))
      throw new KirimError('unavailable', `Nominatim gave no area for "${place}"`);
    const [south, north, west, east] = box as [number, number, number, number];
    return { bbox: [south, west, north, east] };
  }
}

type OverpassArea = { areaId: number } | { bbox: [number, number, number, number] };

/**
 * Splits `kopi di Bandung` / `coffee in Bandung` into the business term and the place (at the last
 * ` di ` / ` in `); text without one is all term, searched without an area.
 */
export function splitQuery(text: string): { term: string; place?: string } {
  const match = /^(.+)\s+(?:di|in)\s+(.+)$/i.exec(text.trim());
  if (!match) return { term: text.trim() };
  return { term: match[1]!.trim(), place: match[2]!.trim() };
}

/** The Overpass QL query: nodes and ways named like the term, or tagged with it as amenity, shop or cuisine. */
export function overpassQuery(term: string, area: OverpassArea | undefined, timeoutSeconds: number): string {
  const pattern = qlString(escapeRegex(term));
  const exact = qlString(`^${escapeRegex(term.replace(/\s+/g, '_'))}$`);
  const scope = area === undefined ? '' : 'areaId' in area ? '(area.a)' : `(${area.bbox.join(',')})`;
  const filters = [
    `["name"~${pattern},i]`,
    `["amenity"~${exact},i]`,
    `["shop"~${exact},i]`,
    `["cuisine"~${pattern},i]`,
  ];
  const lines = [`[out:json][timeout:${timeoutSeconds}];`];
  if (area && 'areaId' in area) lines.push(`area(${area.areaId})->.a;`);
  lines.push('(');
  for (const type of ['node', 'way']) for (const filter of filters) lines.push(`  ${type}${filter}${scope};`);
  lines.push(');', 'out center tags;');
  return lines.join('\n');
}

function toCandidate(element: OverpassElement): LeadCandidate | undefined {
  const tags = element.tags ?? {};
  const name = tags.name?.trim();
  if (!name) return undefined;
  const extra: Record<string, unknown> = { osm_type: element.type, osm_id: element.id };
  for (const tag of EXTRA_TAGS) if (tags[tag]) extra[tag] = tags[tag];
  return {
    business_name: name,
    address: address(tags),
    phone: firstOf(tags.phone ?? tags['contact:phone'] ?? tags['contact:mobile'] ?? tags['contact:whatsapp']),
    website: firstOf(tags.website ?? tags['contact:website'] ?? tags.url),
    latitude: element.lat ?? element.center?.lat ?? null,
    longitude: element.lon ?? element.center?.lon ?? null,
    source: 'openstreetmap',
    extra,
  };
}

/** `addr:full`, or street and number, then the other parts of the address, comma-separated. */
function address(tags: Record<string, string>): string | null {
  if (tags['addr:full']) return tags['addr:full'];
  const street = [tags['addr:street'], tags['addr:housenumber']].filter(Boolean).join(' ');
  const parts = [
    street,
    tags['addr:suburb'],
    tags['addr:city'],
    tags['addr:postcode'],
    tags['addr:province'] ?? tags['addr:state'],
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** OSM separates several values of a tag with `;`: the first one. */
function firstOf(value: string | undefined): string | null {
  const first = value?.split(';')[0]?.trim();
  return first ? first : null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A double-quoted Overpass QL string literal. */
function qlString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
