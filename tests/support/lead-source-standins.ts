import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on loopback answering like a lead source's service. */
export interface Standin {
  url: string;
  requests: RecordedRequest[];
  /** The most requests it was ever handling at once (usage policies: one at a time). */
  maxConcurrent: number;
  close(): Promise<void>;
}

type Handler = (req: RecordedRequest, res: ServerResponse) => unknown;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function startStandin(handler: Handler): Promise<Standin> {
  let active = 0;
  const standin: Standin = { url: '', requests: [], maxConcurrent: 0, close: async () => {} };
  const server = createServer(async (req, res) => {
    active++;
    standin.maxConcurrent = Math.max(standin.maxConcurrent, active);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', 'http://standin');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      standin.requests.push(recorded);
      await handler(recorded, res);
    } catch (error) {
      if (!res.headersSent) json(res, 500, { error: String(error) });
    } finally {
      active--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standin.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return standin;
}

/** A URL nothing listens on: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const standin = await startStandin(() => {});
  await standin.close();
  return standin.url;
}

// --- OpenStreetMap: Nominatim and Overpass -------------------------------------------------------

/** A place Nominatim knows, by name. */
export interface NominatimPlace {
  name: string;
  osm_type: 'relation' | 'way' | 'node';
  osm_id: number;
  /** `[south, north, west, east]`. */
  boundingbox: [number, number, number, number];
}

/** Nominatim's `/search?format=jsonv2` and `/status?format=json` (https://nominatim.org/release-docs/latest/api/Search/). */
export function startNominatimStandin(options: { places: NominatimPlace[]; failWith?: number }): Promise<Standin> {
  return startStandin((req, res) => {
    if (options.failWith)
      return json(res, options.failWith, { error: { code: options.failWith, message: 'Internal Server Error' } });
    if (req.path === '/status')
      return json(res, 200, {
        status: 0,
        message: 'OK',
        data_updated: '2026-01-01T00:00:00+00:00',
        software_version: '4.5.0',
      });
    if (req.path !== '/search' || req.query.get('format') !== 'jsonv2')
      return json(res, 400, { error: { code: 400, message: 'Bad request' } });
    const q = (req.query.get('q') ?? '').toLowerCase();
    const limit = Number(req.query.get('limit') ?? 10);
    const found = options.places.filter((p) => p.name.toLowerCase() === q).slice(0, limit);
    json(
      res,
      200,
      found.map((p, i) => {
        const [south, north, west, east] = p.boundingbox;
        return {
          place_id: 1000 + i,
          licence: 'Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
          osm_type: p.osm_type,
          osm_id: p.osm_id,
          lat: String((south + north) / 2),
          lon: String((west + east) / 2),
          category: 'boundary',
          type: 'administrative',
          place_rank: 12,
          importance: 0.6,
          addresstype: 'city',
          name: p.name,
          display_name: `${p.name}, Jawa Barat, Indonesia`,
          boundingbox: p.boundingbox.map(String),
        };
      }),
    );
  });
}

/** An element Overpass returns with `out center tags`: a node (lat/lon) or a way (center). */
export interface OverpassElement {
  type: 'node' | 'way';
  id: number;
  lat?: number;
  lon?: number;
  center?: { lat: number; lon: number };
  tags: Record<string, string>;
}

/**
 * Overpass's `POST /api/interpreter` (`data=<Overpass QL>`, `[out:json]`) and `/api/status`.
 * Elements are kept by the area the query names (`area(3600000000+id)`, else `bbox`, else `*` for none)
 * and filtered by the query's `"name"~"term"` (or amenity/shop/cuisine). `rateLimitFirst` answers that many
 * requests `429 Too Many Requests` with `Retry-After`.
 */
export function startOverpassStandin(options: {
  elements: Record<string, OverpassElement[]>;
  rateLimitFirst?: number;
  retryAfterSeconds?: number;
  failWith?: number;
}): Promise<Standin> {
  let limited = 0;
  return startStandin((req, res) => {
    if (req.path === '/api/status') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(
        'Connected as: 2130706433\nCurrent time: 2026-01-01T00:00:00Z\nRate limit: 2\n2 slots available now.\nCurrently running queries (pid, space limit, time limit, start time):\n',
      );
    }
    if (options.failWith) {
      res.writeHead(options.failWith, { 'content-type': 'text/html' });
      return res.end(
        '<html><body><p><strong style="color:#FF0000">Error</strong>: runtime error: the server is overloaded</p></body></html>',
      );
    }
    if (limited < (options.rateLimitFirst ?? 0)) {
      limited++;
      res.writeHead(429, { 'content-type': 'text/html', 'retry-after': String(options.retryAfterSeconds ?? 1) });
      return res.end('<html><body><p>Too Many Requests</p></body></html>');
    }
    const ql = new URLSearchParams(req.body).get('data') ?? '';
    const area = /area\((\d+)\)/.exec(ql)?.[1] ?? (/\((-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+)\)/.test(ql) ? 'bbox' : '*');
    const term = /\["name"~"((?:[^"\\]|\\.)*)",i\]/.exec(ql)?.[1]?.replace(/\\(.)/g, '$1');
    const pattern = term === undefined ? undefined : new RegExp(term, 'i');
    const elements = (options.elements[area] ?? []).filter(
      (e) => !pattern || ['name', 'amenity', 'shop', 'cuisine'].some((t) => e.tags[t] && pattern.test(e.tags[t]!)),
    );
    json(res, 200, {
      version: 0.6,
      generator: 'Overpass API 0.7.62 (stand-in)',
      osm3s: {
        timestamp_osm_base: '2026-01-01T00:00:00Z',
        copyright:
          'The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.',
      },
      elements,
    });
  });
}

// --- Google Places (legacy web service) ----------------------------------------------------------

/** A place the stand-in knows: Text Search fields, and the Details fields phone and website. */
export interface GooglePlace {
  place_id: string;
  name: string;
  formatted_address: string;
  lat: number;
  lng: number;
  phone?: string;
  website?: string;
  rating?: number;
}

/**
 * Places API `textsearch/json` (20 per page in Google, `pageSize` here, with `next_page_token`) and
 * `details/json`. A wrong key is `REQUEST_DENIED`; `overQueryLimitFirst` answers that many Text Search
 * requests `OVER_QUERY_LIMIT`. https://developers.google.com/maps/documentation/places/web-service/search-text
 */
export function startGooglePlacesStandin(options: {
  apiKey: string;
  places: GooglePlace[];
  pageSize?: number;
  overQueryLimitFirst?: number;
}): Promise<Standin> {
  const pageSize = options.pageSize ?? 20;
  let overLimit = 0;
  return startStandin((req, res) => {
    const envelope = { html_attributions: [] as string[] };
    if (req.query.get('key') !== options.apiKey) {
      return json(res, 200, {
        ...envelope,
        error_message: 'The provided API key is invalid.',
        results: [],
        status: 'REQUEST_DENIED',
      });
    }
    if (req.path === '/maps/api/place/textsearch/json') {
      if (overLimit < (options.overQueryLimitFirst ?? 0)) {
        overLimit++;
        return json(res, 200, {
          ...envelope,
          error_message: 'You have exceeded your rate-limit for this API.',
          results: [],
          status: 'OVER_QUERY_LIMIT',
        });
      }
      const token = req.query.get('pagetoken');
      const offset = token ? Number(/^page-(\d+)$/.exec(token)?.[1] ?? NaN) : 0;
      if (Number.isNaN(offset)) return json(res, 200, { ...envelope, results: [], status: 'INVALID_REQUEST' });
      if (!token && !req.query.get('query'))
        return json(res, 200, { ...envelope, results: [], status: 'INVALID_REQUEST' });
      const page = options.places.slice(offset, offset + pageSize);
      if (page.length === 0) return json(res, 200, { ...envelope, results: [], status: 'ZERO_RESULTS' });
      const more = offset + pageSize < options.places.length;
      return json(res, 200, {
        ...envelope,
        ...(more ? { next_page_token: `page-${offset + pageSize}` } : {}),
        results: page.map((p) => ({
          business_status: 'OPERATIONAL',
          formatted_address: p.formatted_address,
          geometry: {
            location: { lat: p.lat, lng: p.lng },
            viewport: {
              northeast: { lat: p.lat + 0.001, lng: p.lng + 0.001 },
              southwest: { lat: p.lat - 0.001, lng: p.lng - 0.001 },
            },
          },
          name: p.name,
          place_id: p.place_id,
          rating: p.rating ?? 4.5,
          reference: p.place_id,
          types: ['cafe', 'food', 'point_of_interest', 'establishment'],
          user_ratings_total: 120,
        })),
        status: 'OK',
      });
    }
    if (req.path === '/maps/api/place/details/json') {
      const place = options.places.find((p) => p.place_id === req.query.get('place_id'));
      if (!place)
        return json(res, 200, {
          ...envelope,
          status: req.query.get('place_id')?.startsWith('ChIJ') ? 'NOT_FOUND' : 'INVALID_REQUEST',
        });
      const result: Record<string, unknown> = { url: `https://maps.google.com/?cid=${place.place_id}` };
      if (place.phone) {
        result.international_phone_number = place.phone;
        result.formatted_phone_number = place.phone.replace(/^\+62 /, '0');
      }
      if (place.website) result.website = place.website;
      return json(res, 200, { ...envelope, result, status: 'OK' });
    }
    json(res, 404, { error: 'not found' });
  });
}

// --- Kirim's scraper protocol ---------------------------------------------------------------------

/** One result of the scraper protocol (README, "Lead sources"). */
export interface ScraperResult {
  business_name: string;
  address?: string | null;
  phone?: string | null;
  website?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  extra?: Record<string, unknown>;
}

/**
 * The scraper protocol: `POST /search {query, limit, cursor}` → `{results, next_cursor}` (`pageSize` per page,
 * the cursor an offset), `GET /health` → `{ok, detail}`. `delayMs` slows each page; `failWith` answers every
 * search with that status and `{error}`.
 */
export function startScraperStandin(options: {
  results: ScraperResult[] | ((query: string) => ScraperResult[]);
  pageSize?: number;
  delayMs?: number;
  failWith?: { status: number; error: string };
  healthy?: boolean;
}): Promise<Standin> {
  return startStandin(async (req, res) => {
    if (req.method === 'GET' && req.path === '/health') {
      return options.healthy === false
        ? json(res, 503, { ok: false, detail: 'browser pool exhausted' })
        : json(res, 200, { ok: true, detail: 'scraper stand-in ready' });
    }
    if (req.method !== 'POST' || req.path !== '/search') return json(res, 404, { error: 'not found' });
    if (options.failWith) return json(res, options.failWith.status, { error: options.failWith.error });
    const body = JSON.parse(req.body) as { query?: string; limit?: number; cursor?: string | null };
    if (typeof body.query !== 'string' || typeof body.limit !== 'number')
      return json(res, 400, { error: 'query and limit are required' });
    if (options.delayMs) await sleep(options.delayMs);
    const all = typeof options.results === 'function' ? options.results(body.query) : options.results;
    const offset = body.cursor ? Number(body.cursor) : 0;
    const pageSize = options.pageSize ?? 10;
    const end = Math.min(all.length, offset + pageSize, Math.max(offset + 1, body.limit));
    json(res, 200, {
      results: all.slice(offset, end),
      next_cursor: end < all.length && end < body.limit ? String(end) : null,
    });
  });
}
