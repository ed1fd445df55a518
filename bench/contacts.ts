// GET /api/contacts?search=… with 100,000 contacts: p95 latency on SQLite and PostgreSQL.
// Target: under 25 ms on both (trigram indexes, not table scans).
import { randomUUID } from 'node:crypto';
import type { Contact } from '@kirim/core';
import { report } from './support/report.js';
import { BENCH_ADMIN_TOKEN, benchServer, quantile } from './support/servers.js';

const COUNT = 100_000;
const FIRST = [
  'Budi',
  'Siti',
  'Agus',
  'Dewi',
  'Rizky',
  'Nur',
  'Ahmad',
  'Putri',
  'Eko',
  'Rina',
  'Joko',
  'Lina',
  'Hendra',
  'Maya',
  'Fajar',
  'Sari',
];
const LAST = [
  'Santoso',
  'Aminah',
  'Salim',
  'Lestari',
  'Pratama',
  'Hidayah',
  'Fauzi',
  'Wijaya',
  'Kusuma',
  'Halim',
  'Gunawan',
  'Susanto',
];
const COMPANIES = [
  'Kopi',
  'Teh',
  'Batik',
  'Rumah Makan',
  'Toko',
  'Bengkel',
  'Apotek',
  'Salon',
  'Laundry',
  'Percetakan',
];
const CITIES = ['Bandung', 'Jakarta', 'Surabaya', 'Medan', 'Solo', 'Yogyakarta', 'Makassar', 'Denpasar'];

function contacts(userId: string): Contact[] {
  const at = new Date('2026-01-01T00:00:00Z').getTime();
  return Array.from({ length: COUNT }, (_, i) => ({
    id: randomUUID(),
    user_id: userId,
    name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`,
    phone: `628${(1_100_000_000 + i * 37).toString()}`,
    email: i % 3 === 0 ? `user${i}@mail${i % 50}.co.id` : null,
    company: `${COMPANIES[i % COMPANIES.length]} ${LAST[(i * 3) % LAST.length]} ${i % 1000}`,
    position: null,
    address: null,
    city: CITIES[i % CITIES.length],
    country: 'Indonesia',
    notes: null,
    is_active: i % 10 !== 0,
    extra_fields: {},
    created_at: new Date(at + i * 1000).toISOString(),
    updated_at: new Date(at + i * 1000).toISOString(),
  }));
}

// A mix of what people type: a name, a name with its number, a company, digits of a phone, an email domain.
const SEARCHES = [
  'santoso',
  'Dewi Lestari',
  'siti aminah 4',
  'kopi halim',
  'bengkel',
  '0811000',
  '81100037',
  'mail7.co',
  'rizky',
  'apotek wijaya 12',
];

for (const database of (process.env.BENCH_DB ? [process.env.BENCH_DB] : ['sqlite', 'postgres']) as Array<
  'sqlite' | 'postgres'
>) {
  const { server, stop } = await benchServer(database);
  const me = await server.kirim.accounts.authenticate(BENCH_ADMIN_TOKEN);
  const all = contacts(me.userId);
  for (let i = 0; i < all.length; i += 5000) await server.storage.contacts.insertMany(all.slice(i, i + 5000));

  const timings: number[] = [];
  for (let round = 0; round < 30; round++) {
    for (const term of SEARCHES) {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/contacts?search=${encodeURIComponent(term)}`, {
        headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
      });
      await res.json();
      if (res.status !== 200) throw new Error(`search failed: ${res.status}`);
      if (round > 2) timings.push(performance.now() - started);
    }
  }
  if (process.env.BENCH_DEBUG)
    for (const [i, term] of SEARCHES.entries())
      console.log(
        term,
        quantile(
          timings.filter((_, k) => k % SEARCHES.length === i),
          0.5,
        ).toFixed(1),
      );
  report(`contacts.search_p50.${database}`, quantile(timings, 0.5), 'ms');
  report(`contacts.search_p95.${database}`, quantile(timings, 0.95), 'ms', { op: '<=', value: 25 });
  await stop();
}
