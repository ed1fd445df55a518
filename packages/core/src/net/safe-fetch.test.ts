import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import {
  assertPublicHttpUrl,
  assertResolvesPublic,
  firstNonPublic,
  isPublicAddress,
  safeFetch,
  type HostResolver,
} from './safe-fetch.js';

const limits = { timeoutMs: 2000, maxBytes: 1024 };
const resolvesTo =
  (address: string): HostResolver =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

describe('isPublicAddress', () => {
  it('accepts public unicast and refuses every private, loopback, link-local, unique-local, multicast and reserved range', () => {
    for (const ok of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(ok), ok).toBe(true);
    const refused = [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '240.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      'not an address',
    ];
    for (const bad of refused) expect(isPublicAddress(bad), bad).toBe(false);
  });
});

describe('assertPublicHttpUrl', () => {
  it('refuses non-http schemes, malformed URLs, localhost and literal private addresses, naming the field', () => {
    const bad = [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'not a url',
      'http://localhost:8080/',
      'http://api.localhost/',
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/',
      'http://2130706433/',
      'http://0x7f.1/',
    ];
    for (const url of bad) {
      let caught: any;
      try {
        assertPublicHttpUrl(url, 'media_url');
      } catch (error) {
        caught = error;
      }
      expect(caught, url).toMatchObject({ code: 'validation', details: { media_url: [expect.any(String)] } });
    }
  });

  it('accepts public http(s) URLs, and private ones when allowed', () => {
    expect(assertPublicHttpUrl('https://example.com/hook', 'url').hostname).toBe('example.com');
    expect(assertPublicHttpUrl('http://93.184.216.34:8080/x', 'url').port).toBe('8080');
    expect(assertPublicHttpUrl('http://127.0.0.1:9/', 'url', true).hostname).toBe('127.0.0.1');
  });
});

describe('firstNonPublic', () => {
  it('finds the first private, loopback or link-local address among public ones, and none among public ones', () => {
    const of = (...addresses: string[]) =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    expect(firstNonPublic(of('93.184.216.34', '10.0.0.5', '127.0.0.1'))?.address).toBe('10.0.0.5');
    expect(firstNonPublic(of('93.184.216.34', '2606:4700:4700::1111'))).toBeUndefined();
  });
});

describe('assertResolvesPublic', () => {
  it('answers a name resolving to an internal address without naming the address or the name (the 422 leaks no internal address)', async () => {
    const error = await assertResolvesPublic('https://intranet.example.com/hook', 'url', {
      resolve: resolvesTo('10.20.30.40'),
    }).catch((e) => e);
    expect(error).toMatchObject({
      code: 'validation',
      details: { url: ['resolves to a private, loopback or link-local address'] },
    });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/10\.20\.30\.40|intranet/);
  });

  it('lets a public name through, and a name that does not resolve now (delivery looks again)', async () => {
    await expect(
      assertResolvesPublic('https://files.example.com/a.png', 'media_url', { resolve: resolvesTo('93.184.216.34') }),
    ).resolves.toBeInstanceOf(URL);
    const missing: HostResolver = async () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(
      assertResolvesPublic('https://files.example.com/a.png', 'media_url', { resolve: missing }),
    ).resolves.toBeInstanceOf(URL);
  });

  it('waits for the resolver on its injected clock, not a timer of its own: a name still unresolved when that clock passes timeoutMs passes', async () => {
    const clock = new ManualClock();
    const never: HostResolver = () => new Promise(() => {});
    const checked = assertResolvesPublic('https://files.example.com/a.png', 'media_url', {
      resolve: never,
      timeoutMs: 60_000,
      clock,
    });
    await clock.advance(60_000);
    await expect(checked).resolves.toBeInstanceOf(URL);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let base: string;
  let port: number;
  const handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

  beforeAll(async () => {
    server = createServer((req, res) => (handlers.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    handlers.set('/ok', (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'text/plain', 'x-method': req.method ?? '' }).end(`echo:${body}`),
      );
    });
    handlers.set('/big', (_req, res) => res.writeHead(200).end(Buffer.alloc(4096, 'x')));
    handlers.set('/slow', (_req, res) => setTimeout(() => res.writeHead(200).end('late'), 1000));
    handlers.set('/silent', () => undefined);
    handlers.set('/to-metadata', (_req, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end(),
    );
    handlers.set('/to-rebind', (_req, res) => res.writeHead(307, { location: `http://rebind.test:${port}/ok` }).end());
    handlers.set('/to-ok', (_req, res) => res.writeHead(303, { location: '/ok' }).end());
    handlers.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses loopback, link-local and private literals before connecting', async () => {
    for (const url of [
      `${base}/ok`,
      `http://localhost:${port}/ok`,
      `http://[::1]:${port}/ok`,
      `http://[::ffff:127.0.0.1]:${port}/ok`,
      'http://169.254.169.254/',
      'http://10.0.0.8/',
    ]) {
      await expect(safeFetch(url, limits), url).rejects.toMatchObject({
        code: 'validation',
        details: { url: [expect.any(String)] },
      });
    }
  });

  it('refuses a host name that resolves to a loopback or IPv4-mapped loopback address, at connect time', async () => {
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '10.0.0.5']) {
      await expect(
        safeFetch(`http://rebind.test:${port}/ok`, { ...limits, lookup: resolvesTo(address), field: 'media_url' }),
        address,
      ).rejects.toMatchObject({
        code: 'validation',
        details: { media_url: ['resolves to a private, loopback or link-local address'] },
      });
    }
  });

  it('refuses a host name when any of its addresses is private', async () => {
    const mixed: HostResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    await expect(safeFetch(`http://rebind.test:${port}/ok`, { ...limits, lookup: mixed })).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('refuses a redirect to a private address, literal or by name, from a host that was let through', async () => {
    // `trusted.test` is an operator-allowed internal host (the loopback server); where it redirects is checked afresh.
    const lookup: HostResolver = resolvesTo('127.0.0.1');
    const from = (path: string) =>
      safeFetch(`http://trusted.test:${port}${path}`, { ...limits, lookup, allowHosts: ['trusted.test'] });
    expect((await from('/ok')).status).toBe(200);
    await expect(from('/to-metadata')).rejects.toMatchObject({ code: 'validation' });
    await expect(from('/to-rebind')).rejects.toMatchObject({ code: 'validation' });
  });

  it('lets a loopback test server through with allowPrivate, following redirects and sending the body', async () => {
    const res = await safeFetch(`${base}/ok`, {
      ...limits,
      allowPrivate: true,
      method: 'POST',
      body: 'hi',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res).toMatchObject({ status: 200, url: `${base}/ok` });
    expect(res.body.toString()).toBe('echo:hi');
    expect(res.headers.get('x-method')).toBe('POST');
    const redirected = await safeFetch(`${base}/to-ok`, {
      ...limits,
      allowPrivate: true,
      method: 'POST',
      body: 'dropped',
    });
    expect(redirected.headers.get('x-method')).toBe('GET');
    expect(redirected.body.toString()).toBe('echo:');
    const byName = await safeFetch(`http://rebind.test:${port}/ok`, {
      ...limits,
      allowPrivate: true,
      lookup: resolvesTo('127.0.0.1'),
    });
    expect(byName.status).toBe(200);
  });

  it('stops after maxRedirects', async () => {
    await expect(safeFetch(`${base}/loop`, { ...limits, allowPrivate: true, maxRedirects: 2 })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it('aborts a body larger than maxBytes with payload_too_large, or truncates when asked', async () => {
    await expect(safeFetch(`${base}/big`, { ...limits, allowPrivate: true })).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    const cut = await safeFetch(`${base}/big`, { ...limits, allowPrivate: true, truncate: true });
    expect(cut.body.length).toBe(1024);
  });

  it('gives up after timeoutMs with unavailable', async () => {
    const started = Date.now();
    await expect(
      safeFetch(`${base}/slow`, { timeoutMs: 100, maxBytes: 1024, allowPrivate: true }),
    ).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('Timed out') });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('counts timeoutMs on its injected clock, not a timer of its own: gives up with unavailable once that clock passes it', async () => {
    const clock = new ManualClock();
    const outcome = safeFetch(`${base}/silent`, { timeoutMs: 60_000, maxBytes: 1024, allowPrivate: true, clock }).catch(
      (error: unknown) => error,
    );
    await clock.advance(60_000);
    expect(await outcome).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('Timed out'),
    });
  });

  it('fails naming the field for a host name that does not exist (ENOTFOUND), and leaves a resolver failing for now (EAI_AGAIN) unavailable', async () => {
    const fails =
      (code: string): HostResolver =>
      async () =>
        Promise.reject(Object.assign(new Error(`getaddrinfo ${code} files.example.com`), { code }));
    await expect(
      safeFetch(`http://files.example.com:${port}/ok`, { ...limits, lookup: fails('ENOTFOUND'), field: 'media_url' }),
    ).rejects.toMatchObject({
      code: 'validation',
      details: { media_url: ['its host name does not exist'] },
    });
    await expect(
      safeFetch(`http://files.example.com:${port}/ok`, { ...limits, lookup: fails('EAI_AGAIN'), field: 'media_url' }),
    ).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports a refused connection as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(safeFetch(`http://127.0.0.1:${deadPort}/`, { ...limits, allowPrivate: true })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
