import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gif, mp3, oggOpus, png } from '../../../../tests/support/media-samples.js';
import type { HostResolver } from '../net/safe-fetch.js';
import { ManualClock } from '../testing/manual-clock.js';
import { createMediaLoader } from './media-loader.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const resolvesTo =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

/** What a promise rejects with (undefined when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('MediaLoader.check', () => {
  it('refuses a media_url whose host name resolves to a private address, naming media_url', async () => {
    const loader = createMediaLoader({ lookup: resolvesTo('10.0.0.7') });
    expect(await refusal(loader.check('https://files.example.com/promo.png'))).toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringMatching(/private/)] },
    });
  });

  it('refuses a scheme other than http(s) and a literal loopback address, naming media_url', async () => {
    const loader = createMediaLoader({ lookup: resolvesTo('93.184.216.34') });
    for (const url of [
      'ftp://files.example.com/promo.png',
      'http://127.0.0.1/promo.png',
      'http://[::ffff:127.0.0.1]/promo.png',
    ]) {
      expect(await refusal(loader.check(url)), url).toMatchObject({
        code: 'validation',
        details: { media_url: [expect.any(String)] },
      });
    }
  });

  it('lets a public name through, a name that does not resolve now (the send looks again), and anything when private URLs are allowed', async () => {
    expect(
      await refusal(
        createMediaLoader({ lookup: resolvesTo('93.184.216.34') }).check('https://files.example.com/promo.png'),
      ),
    ).toBeUndefined();
    const down: HostResolver = async () =>
      Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }));
    expect(
      await refusal(createMediaLoader({ lookup: down }).check('https://files.example.com/promo.png')),
    ).toBeUndefined();
    expect(
      await refusal(
        createMediaLoader({ allowPrivate: true, lookup: resolvesTo('10.0.0.7') }).check('http://10.0.0.7/promo.png'),
      ),
    ).toBeUndefined();
  });
});

describe('MediaLoader.load', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(req.url!.match(/^\/status\/(\d+)/)?.[1] ?? 200);
      if (status !== 200) return res.writeHead(status).end('no');
      // Takes the request and never answers.
      if (req.url === '/silent.png') return;
      if (req.url === '/big.png')
        return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([PNG, Buffer.alloc(4096)]));
      if (req.url === '/page')
        return res.writeHead(200, { 'content-type': 'image/png' }).end('<html><body>hello</body></html>');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PNG);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  const loader = () => createMediaLoader({ allowPrivate: true, maxBytes: 1024 });

  it('names media_url for a media host answering 404, but leaves a 429 or a 503 to be retried', async () => {
    expect(await refusal(loader().load(`${base}/status/404/a.png`, 'image'))).toMatchObject({
      code: 'validation',
      details: { media_url: ['the media host answered HTTP 404'] },
    });
    expect(await refusal(loader().load(`${base}/status/429/a.png`, 'image'))).toMatchObject({ code: 'unavailable' });
    expect(await refusal(loader().load(`${base}/status/503/a.png`, 'image'))).toMatchObject({ code: 'unavailable' });
  });

  it('names media_url, at once, for a media host name that does not exist (ENOTFOUND), but leaves EAI_AGAIN to be retried', async () => {
    const fails =
      (code: string): HostResolver =>
      async () =>
        Promise.reject(Object.assign(new Error(`getaddrinfo ${code}`), { code }));
    const port = new URL(base).port;
    expect(
      await refusal(
        createMediaLoader({ lookup: fails('ENOTFOUND') }).load(
          `http://no-such-host.example.com:${port}/a.png`,
          'image',
        ),
      ),
    ).toMatchObject({
      code: 'validation',
      details: { media_url: ['its host name does not exist'] },
    });
    expect(
      await refusal(
        createMediaLoader({ lookup: fails('EAI_AGAIN') }).load(`http://files.example.com:${port}/a.png`, 'image'),
      ),
    ).toMatchObject({ code: 'unavailable' });
  });

  it('counts its download limit on the clock it is given: a media host still silent when that clock passes timeoutMs fails unavailable', async () => {
    const clock = new ManualClock();
    const outcome = refusal(
      createMediaLoader({ allowPrivate: true, timeoutMs: 30_000, clock }).load(`${base}/silent.png`, 'image'),
    );
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    await clock.advance(30_000);
    expect(await outcome).toMatchObject({ code: 'unavailable', message: expect.stringContaining('Timed out') });
  });

  it('names media_url for a file over the size limit', async () => {
    expect(await refusal(loader().load(`${base}/big.png`, 'image'))).toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringContaining('1024')] },
    });
  });

  it('names media_url for HTML sent as an image, audio or video, and sends it as a document', async () => {
    const media = loader();
    for (const type of ['image', 'video', 'audio']) {
      expect(await refusal(media.load(`${base}/page`, type)), type).toMatchObject({
        code: 'validation',
        details: { media_url: [expect.stringMatching(/^is not/)] },
      });
    }
    expect((await media.load(`${base}/page`, 'document')).data.toString()).toContain('<html>');
  });

  it("takes the type an image's bytes show over a vague Content-Type", async () => {
    expect(await loader().load(`${base}/promo`, 'image')).toMatchObject({
      mimetype: 'image/png',
      sniffed: 'image/png',
    });
  });
});

describe('MediaLoader.load of stickers and voice notes', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  beforeAll(async () => {
    const files: Record<string, Buffer> = {
      '/cat.png': await png(300, 200),
      '/cat.gif': await gif(30, 20),
      '/note.ogg': oggOpus(),
      '/song.mp3': mp3(),
    };
    server = createServer((req, res) => {
      hits.push(req.url!);
      const file = files[req.url!];
      if (!file) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  it('makes a PNG sticker a 512×512 WebP once per URL, and keeps sending the PNG as an image', async () => {
    const loader = createMediaLoader({ allowPrivate: true });
    const [first, second] = [
      await loader.load(`${base}/cat.png`, 'sticker'),
      await loader.load(`${base}/cat.png`, 'sticker'),
    ];
    expect(second.data).toBe(first.data);
    expect(first).toMatchObject({ mimetype: 'image/webp' });
    expect(await sharp(first.data).metadata()).toMatchObject({ format: 'webp', width: 512, height: 512 });
    expect(await loader.load(`${base}/cat.png`, 'image')).toMatchObject({ mimetype: 'image/png' });
    expect(hits.filter((hit) => hit === '/cat.png')).toHaveLength(1);
  });

  it('names media_url for a GIF sent as a sticker', async () => {
    expect(await refusal(createMediaLoader({ allowPrivate: true }).load(`${base}/cat.gif`, 'sticker'))).toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringContaining('PNG, JPEG or WebP')] },
    });
  });

  it('gives a voice note its Ogg/Opus type, length and waveform, and names media_url for an MP3', async () => {
    const loader = createMediaLoader({ allowPrivate: true });
    const note = await loader.load(`${base}/note.ogg`, 'voice');
    expect(note).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', seconds: 2 });
    expect(note.waveform).toHaveLength(64);
    expect(await refusal(loader.load(`${base}/song.mp3`, 'voice'))).toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringContaining('Ogg/Opus')] },
    });
  });
});
