import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { mountedRoutes } from '../support/mounted-routes.js';
import { startScraperStandin, type Standin } from '../support/lead-source-standins.js';

// Every route the API mounts, read from the router itself (so a new route is fuzzed without a line here),
// gets a bounded, seeded set of hostile requests as an admin and as a user. No answer may be a 5xx but a 503
// `no_device` (a send through a session that is not connected is answered so), and every 422 names its fields (never `_`).

// Fixed, so CI repeats itself; KIRIM_FUZZ_SEED explores other samples (its faults repeat with the same seed).
const SEED = Number(process.env.KIRIM_FUZZ_SEED ?? 0x5eed_0012);
const BODIES_PER_ROUTE = 10;
const QUERIES_PER_ROUTE = 3;
const PARAMS_PER_ROUTE = 4;

/** mulberry32: a small seeded generator, so a failure repeats exactly. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return out;
  };
  return { next, pick, sample };
}

// Path parameter values: broken percent-encoding (always sent), then odd ids sampled per route.
const MALFORMED_PARAMS = ['%E0%A4%A', '%', '%ZZ', '%C0%80%'];
const ODD_PARAMS = [
  '9'.repeat(4000),
  '-1',
  '0',
  '1e309',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  '%2e%2e',
  '%00',
  '%0A%0D',
  '%F0%9F%98%80'.repeat(40),
  "'%20OR%201=1--",
  '%3Cscript%3E',
  '00000000-0000-0000-0000-000000000000',
  'admin',
  '%20',
  'a%2Fb',
  'a@g.us',
];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f\u2028\u2029\ufeff';
const deep = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  '',
  ' ',
  CONTROL,
  'x'.repeat(70_000),
  '\ud800',
  '😀'.repeat(500),
  '{{name}}{Hi|Hello|{Hey|Yo}}',
  '{'.repeat(200),
  '%s%n%x',
  '../../etc/passwd',
  'javascript:alert(1)',
  'http://127.0.0.1:1/',
  'ftp://example.com/x',
  'https://example.com/a.png',
  '2027-02-30',
  '10000-01-01',
  '1969-12-31T23:59:59Z',
  '6281234567890',
  '+62 812-3456-7890',
  '123@g.us',
  'a@b',
  [],
  [null],
  [{}],
  [[]],
  Array.from({ length: 300 }, (_, i) => i),
  {},
  { __proto__: null, constructor: 1 },
  deep(60),
  '00000000-0000-0000-0000-000000000000',
];
// Field names the route catalogue uses, so values land on fields a schema reads, plus some it does not know.
const FIELDS = [
  'name',
  'phone',
  'email',
  'company',
  'position',
  'address',
  'city',
  'country',
  'notes',
  'is_active',
  'session_name',
  'session_id',
  'pool_id',
  'to',
  'message',
  'media_url',
  'type',
  'caption',
  'filename',
  'group_id',
  'quoted_message_id',
  'mentions',
  'contacts',
  'delay',
  'contact_group_id',
  'template_id',
  'scheduled_at',
  'ids',
  'skip_duplicates',
  'set_active',
  'description',
  'color',
  'contact_ids',
  'template',
  'content',
  'message_type',
  'query',
  'total',
  'source',
  'business_name',
  'website',
  'latitude',
  'longitude',
  'status',
  'leads',
  'title',
  'starts_at',
  'expires_at',
  'url',
  'events',
  'secret',
  'session_ids',
  'strategy',
  'settings',
  'min_gap_ms',
  'role',
  'plan',
  'plan_expires_at',
  'expires_in_days',
  'user_id',
  'id',
  'phones',
  'emoji',
  'question',
  'options',
  'state',
  'colour',
  '__proto__',
  'constructor',
  '',
  ' ',
  'a.b',
  '$where',
];

/** A request's body and its Content-Type. */
type Body = { contentType: string; payload: string };
const json = (value: unknown): Body => ({ contentType: 'application/json', payload: JSON.stringify(value) });
const FIXED_BODIES: Body[] = [
  json([]),
  json([{ name: 'x' }]),
  json({}),
  { contentType: 'application/json', payload: '{"__proto__":{"role":"admin","is_admin":true},"name":"p"}' },
  { contentType: 'application/json', payload: '{"constructor":{"prototype":{"polluted":true}}}' },
  { contentType: 'application/json', payload: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}` },
  { contentType: 'application/json', payload: '['.repeat(200_000) },
  { contentType: 'application/json', payload: '"just a string"' },
  { contentType: 'application/json', payload: 'null' },
  { contentType: 'application/json', payload: '{"a":1' },
  { contentType: 'application/json; charset=utf-7', payload: '{}' },
  { contentType: 'application/json', payload: '\ufeff{}' },
  { contentType: 'multipart/form-data', payload: 'name,phone\nA,1\n' },
  { contentType: 'multipart/form-data; boundary=x', payload: 'garbage without parts' },
  {
    contentType: 'multipart/form-data; boundary=x',
    payload: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n\u0000\u0001\r\n--x--\r\n',
  },
  { contentType: 'text/plain', payload: 'hello' },
  { contentType: 'application/x-www-form-urlencoded', payload: 'name=x&phone[]=1&__proto__[a]=1' },
];

const QUERIES = [
  '?page=-1&per_page=100000',
  '?page=1&page=2',
  '?per_page[a]=1',
  '?search=%E0%A4%A',
  '?date_from=2027-02-30&date_to=x',
  '?is_active=maybe&sort=__proto__',
  `?${'a=1&'.repeat(1500)}`,
  '?__proto__[x]=1&constructor[prototype][y]=2',
  `?search=${'x'.repeat(5000)}`,
  '?format=pdf&status[]=sent',
  '?session_device_id=%00',
  '?page=1e309&per_page=NaN',
  `?search=${encodeURIComponent(CONTROL)}`,
];

function generatedBody(random: ReturnType<typeof seeded>): Body {
  const body: Record<string, unknown> = {};
  const keys = random.sample(FIELDS, 1 + Math.floor(random.next() * 4));
  for (const key of keys) Object.defineProperty(body, key, { value: random.pick(HOSTILE_VALUES), enumerable: true });
  return json(body);
}

interface Answer {
  status: number;
  body: any;
}

// node:http sends the path exactly as written (fetch would normalise `%2e%2e` and friends away).
function send(agent: Agent, base: URL, method: string, path: string, token: string, body?: Body): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body)
      Object.assign(headers, {
        'content-type': body.contentType,
        'content-length': String(Buffer.byteLength(body.payload)),
      });
    const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      // The event stream never ends by itself: its status is the answer.
      if ((res.headers['content-type'] ?? '').includes('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body: undefined });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text.slice(0, 300);
        if ((res.headers['content-type'] ?? '').includes('json')) parsed = text ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body?.payload);
  });
}

/** What is wrong with an answer, or undefined: a 5xx other than a 503 `no_device`, a 422 without named fields or with `_`. */
function fault(answer: Answer): string | undefined {
  if (answer.status >= 500 && !(answer.status === 503 && answer.body?.code === 'no_device'))
    return `status ${answer.status}`;
  if (answer.status !== 422) return undefined;
  const errors = answer.body?.errors;
  if (!errors || typeof errors !== 'object' || Object.keys(errors).length === 0) return '422 without named fields';
  if ('_' in errors) return '422 naming _';
  const unnamed = Object.entries(errors).filter(
    ([field, reasons]) => field === '' || !Array.isArray(reasons) || reasons.length === 0,
  );
  return unnamed.length > 0
    ? `422 with an empty field or reason: ${unnamed.map(([f]) => JSON.stringify(f)).join(', ')}`
    : undefined;
}

describe.each(DATABASES)('every route under hostile input on %s', (database) => {
  let t: TestServer;
  let scraper: Standin;
  let user: { id: string; token: string };
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    // A try-out network, so a session a fuzzed body happens to create links locally, and a lead source that answers
    // (an unreachable one is a deliberate 503 from its health route, which would hide any other).
    scraper = await startScraperStandin({ results: [{ business_name: 'Toko Fuzz', phone: '6281234567890' }] });
    t = await startTestServer(database, {
      KIRIM_TRANSPORT: 'simulated',
      KIRIM_LEAD_SOURCE: 'scraper',
      KIRIM_LEAD_SCRAPER_URL: scraper.url,
      KIRIM_SEND_WAIT_MS: '200',
    });
    user = await t.createUser({ plan: 'supporter' });
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
    await scraper?.close();
  });

  it('answers no 5xx but a 503 no_device, and no unnamed 422, to any of a bounded, seeded set of hostile requests on every mounted route', async () => {
    const routes = mountedRoutes(t.server.kirim);
    expect(routes.length).toBeGreaterThan(50);
    const random = seeded(SEED);
    const base = new URL(t.url);
    const faults: string[] = [];
    let sent = 0;

    for (const { method, path } of routes) {
      const params = path.match(/:\w+/g) ?? [];
      const withParams = (values: Record<string, string>) =>
        `/api${path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'fuzz-id')}`;
      const requests: Array<{ path: string; body?: Body }> = [];
      for (const param of params) {
        for (const value of [...MALFORMED_PARAMS, ...random.sample(ODD_PARAMS, PARAMS_PER_ROUTE)])
          requests.push({ path: withParams({ [param.slice(1)]: value }) });
      }
      for (const query of random.sample(QUERIES, QUERIES_PER_ROUTE)) requests.push({ path: withParams({}) + query });
      const bodies = [
        ...random.sample(FIXED_BODIES, BODIES_PER_ROUTE / 2),
        ...Array.from({ length: BODIES_PER_ROUTE / 2 }, () => generatedBody(random)),
      ];
      for (const body of bodies) requests.push({ path: withParams({}), body });

      for (const request of requests) {
        for (const token of [user.token, t.adminToken]) {
          // A connection cut mid-answer is a fault too (an error after the headers went out).
          const answer = await send(agent, base, method, request.path, token, request.body).catch((error: Error) => ({
            status: 0,
            body: error.message,
          }));
          sent++;
          const found = answer.status === 0 ? 'connection cut' : fault(answer);
          if (found) {
            const who = token === t.adminToken ? 'admin' : 'user';
            faults.push(
              `${method} ${request.path.slice(0, 120)} as ${who}${request.body ? ` with ${request.body.contentType} ${request.body.payload.slice(0, 120)}` : ''}: ${found} ${JSON.stringify(answer.body)?.slice(0, 300)}`,
            );
          }
        }
      }
    }

    console.log(
      `fuzz on ${database} (seed ${SEED}): ${sent} requests over ${routes.length} routes, ${faults.length} faults`,
    );
    expect(faults).toEqual([]);
  }, 180_000);
});
