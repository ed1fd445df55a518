import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { linkSession, phoneSequence } from '../support/linking.js';

// Rate limits off and a fast dispatcher: the history is what these tests read, not the pacing.
const ENV = QUICK_SENDS;

describe.each(DATABASES)('GET /api/whatsapp/sessions/{id}/messages filters on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, ENV, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  // Indonesian mobile numbers, distinct per database so the two runs never share a simulated phone.
  const nextPhone = phoneSequence('62813', database);
  const national = (digits: string) => `0${digits.slice(2, 5)}-${digits.slice(5, 9)}-${digits.slice(9)}`;

  async function linked(token: string) {
    const phone = nextPhone();
    return { id: await linkSession(t, network, token, phone, { name: 'history' }), phone };
  }

  async function send(token: string, sessionId: string, to: string, message: string) {
    const res = await t.request('POST', '/api/whatsapp/messages/text', {
      token,
      body: { session_id: sessionId, to, message },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  /** The texts the history lists for `query`, newest first. */
  async function texts(token: string, sessionId: string, query: string): Promise<string[]> {
    const res = await t.request('GET', `/api/whatsapp/sessions/${sessionId}/messages?${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.meta.total).toBe(res.body.data.length);
    return res.body.data.map((m: { text: string }) => m.text);
  }

  /** A session that sent one text to each of two customers and received one from each. */
  async function conversation() {
    const u = await t.createUser();
    const { id, phone } = await linked(u.token);
    const ani = network.phone(nextPhone());
    const budi = network.phone(nextPhone());
    await send(u.token, id, national(ani.number), 'Halo Ani');
    await send(u.token, id, `+${budi.number}`, 'Halo Budi');
    ani.send(phone, 'Balasan Ani');
    budi.send(phone, 'Balasan Budi');
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/sessions/${id}/messages?direction=in`, { token: u.token })).body.meta
          .total === 2,
    );
    return { token: u.token, id, ani: ani.number, budi: budi.number };
  }

  it('honours to, from and phone in any spelling of the number, where they were silently ignored', async () => {
    const { token, id, ani, budi } = await conversation();
    expect(await texts(token, id, `to=${encodeURIComponent(national(ani))}`)).toEqual(['Halo Ani']);
    expect(await texts(token, id, `from=${encodeURIComponent(`+${ani}`)}`)).toEqual(['Balasan Ani']);
    expect((await texts(token, id, `phone=${ani}@s.whatsapp.net`)).sort()).toEqual(['Balasan Ani', 'Halo Ani']);
    expect(
      (await texts(token, id, `phone=${encodeURIComponent(`+${budi.slice(0, 2)} ${budi.slice(2)}`)}`)).sort(),
    ).toEqual(['Balasan Budi', 'Halo Budi']);
    expect(await texts(token, id, `phone=${ani}&direction=in`)).toEqual(['Balasan Ani']);
    expect(await texts(token, id, `to=${ani}&from=${ani}`)).toEqual([]);
  });

  it('honours search over the text, case-insensitively, with % and _ taken literally', async () => {
    const u = await t.createUser();
    const { id } = await linked(u.token);
    const customer = network.phone(nextPhone());
    for (const text of ['Promo 50%_OFF hari ini', 'Promo 50 persen off', 'Terima kasih'])
      await send(u.token, id, customer.number, text);
    expect((await texts(u.token, id, 'search=promo')).sort()).toEqual([
      'Promo 50 persen off',
      'Promo 50%_OFF hari ini',
    ]);
    expect(await texts(u.token, id, `search=${encodeURIComponent('50%_off')}`)).toEqual(['Promo 50%_OFF hari ini']);
    expect(await texts(u.token, id, `search=${encodeURIComponent('%')}`)).toEqual(['Promo 50%_OFF hari ini']);
    expect(await texts(u.token, id, `search=${encodeURIComponent('i_i')}`)).toEqual([]);
  });

  it('honours job_id: the messages of one bulk job only', async () => {
    const u = await t.createUser();
    const { id } = await linked(u.token);
    const recipients = [nextPhone(), nextPhone()];
    for (const r of recipients) network.phone(r);
    await send(u.token, id, recipients[0], 'Bukan bulk');
    const job = (
      await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: id, contacts: recipients, message: 'Dari bulk', delay: 0 },
      })
    ).body.data;
    await eventually(
      async () =>
        (await t.request('GET', `/api/whatsapp/messages/bulk/${job.job_id}/status`, { token: u.token })).body.data
          .status === 'completed',
    );
    const res = await t.request(
      'GET',
      `/api/whatsapp/sessions/${id}/messages?job_id=${encodeURIComponent(job.job_id)}`,
      { token: u.token },
    );
    expect(res.body.meta.total).toBe(2);
    expect(res.body.data.map((m: { job_id: string; peer_phone: string }) => [m.job_id, m.peer_phone]).sort()).toEqual(
      recipients.map((r) => [job.job_id, r]).sort(),
    );
    expect(await texts(u.token, id, 'job_id=another-job')).toEqual([]);
  });

  it('honours a date range of whole days and of timestamps, under both names', async () => {
    const { token, id } = await conversation();
    const all = (await t.request('GET', `/api/whatsapp/sessions/${id}/messages`, { token })).body.data as Array<{
      text: string;
      created_at: string;
    }>;
    const day = all[0].created_at.slice(0, 10);
    const shift = (days: number) => new Date(Date.parse(day) + days * 86_400_000).toISOString().slice(0, 10);
    expect(await texts(token, id, `since=${day}&until=${day}`)).toHaveLength(4);
    expect(await texts(token, id, `date_from=${day}&date_to=${day}`)).toHaveLength(4);
    expect(await texts(token, id, `since=${shift(1)}`)).toEqual([]);
    expect(await texts(token, id, `until=${shift(-1)}`)).toEqual([]);
    const oldest = all[all.length - 1];
    expect(await texts(token, id, `until=${encodeURIComponent(oldest.created_at)}`)).toContain(oldest.text);
    expect(await texts(token, id, `since=${encodeURIComponent(all[0].created_at)}`)).toContain(all[0].text);
  });

  it('answers 422 naming an unknown filter, and every bad one, instead of ignoring them', async () => {
    const u = await t.createUser();
    const { id } = await linked(u.token);
    const unknown = await t.request('GET', `/api/whatsapp/sessions/${id}/messages?tp=6281200000000&page=1`, {
      token: u.token,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'validation', errors: { tp: expect.any(Array) } });
    const bad = await t.request(
      'GET',
      `/api/whatsapp/sessions/${id}/messages?phone=abc&since=yesterday&direction=both&per_page=500`,
      { token: u.token },
    );
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['direction', 'per_page', 'phone', 'since']);
    const twice = await t.request(
      'GET',
      `/api/whatsapp/sessions/${id}/messages?since=2026-01-01&date_from=2026-01-02`,
      { token: u.token },
    );
    expect(twice.status).toBe(422);
    expect(twice.body.errors).toHaveProperty('date_from');
  });
});
