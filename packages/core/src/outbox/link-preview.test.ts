import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { png } from '../../../../tests/support/media-samples.js';
import { ManualClock } from '../testing/manual-clock.js';
import { createLinkPreviews, fetchLinkPreview, firstLink, LINK_PREVIEW_LIMITS } from './link-preview.js';

const PAGE = `<!doctype html><html><head>
  <title>Fallback title</title>
  <meta property="og:title" content="Toko Budi: katalog">
  <meta property="og:description" content="Harga baru minggu ini">
  <meta property="og:image" content="/cover.png">
</head><body>hello</body></html>`;

describe('firstLink', () => {
  it('finds the first http(s) URL, without the punctuation that ends its sentence', () => {
    expect(firstLink('See https://example.com/a?b=1. And http://other.example')).toBe('https://example.com/a?b=1');
    expect(firstLink('(http://example.com/x)')).toBe('http://example.com/x');
    expect(firstLink('no link, ftp://example.com or example.com')).toBeUndefined();
  });
});

describe('fetchLinkPreview', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  beforeAll(async () => {
    const cover = await png(600, 300);
    // 20 million pixels in a few kilobytes: more than a thumbnail is made from.
    const huge = await png(5000, 4000);
    server = createServer((req, res) => {
      requests.push(req.url!);
      const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      switch (req.url) {
        case '/page':
          return html(PAGE);
        case '/cover.png':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(cover);
        case '/huge-image':
          return html(
            '<html><head><meta property="og:title" content="Big"><meta property="og:image" content="/huge.png"></head></html>',
          );
        case '/huge.png':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(huge);
        case '/title-only':
          return html('<html><head><title>Only a title</title></head></html>');
        case '/broken-image':
          return html(
            '<html><head><meta property="og:title" content="T"><meta property="og:image" content="/gone.png"></head></html>',
          );
        case '/untitled':
          return html('<html><body>nothing</body></html>');
        case '/json':
          return res.writeHead(200, { 'content-type': 'application/json' }).end('{"title":"x"}');
        case '/silent':
          return;
        default:
          return res.writeHead(404).end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());
  beforeEach(() => {
    requests.length = 0;
  });

  it("reads the page's og:title and og:description, and shrinks its og:image (relative to the page) to a small JPEG", async () => {
    const preview = await fetchLinkPreview(`Lihat ${base}/page sekarang`, { allowPrivate: true });
    expect(preview).toMatchObject({
      url: `${base}/page`,
      title: 'Toko Budi: katalog',
      description: 'Harga baru minggu ini',
    });
    const thumbnail = await sharp(preview!.thumbnail).metadata();
    expect(thumbnail).toMatchObject({ format: 'jpeg', width: LINK_PREVIEW_LIMITS.thumbnailPixels, height: 96 });
  });

  it('falls back to the <title>, and goes without a thumbnail when the image cannot be fetched', async () => {
    expect(await fetchLinkPreview(`${base}/title-only`, { allowPrivate: true })).toEqual({
      url: `${base}/title-only`,
      title: 'Only a title',
    });
    expect(await fetchLinkPreview(`${base}/broken-image`, { allowPrivate: true })).toEqual({
      url: `${base}/broken-image`,
      title: 'T',
    });
  });

  it('goes without a thumbnail, not decoding it, for an og:image of more than 4096×4096 pixels', async () => {
    expect(await fetchLinkPreview(`${base}/huge-image`, { allowPrivate: true })).toEqual({
      url: `${base}/huge-image`,
      title: 'Big',
    });
    expect(requests).toEqual(['/huge-image', '/huge.png']);
  });

  it('makes no preview of a page that answers 404, is not HTML, or has no title', async () => {
    for (const path of ['/missing', '/json', '/untitled'])
      expect(await fetchLinkPreview(`${base}${path}`, { allowPrivate: true }), path).toBeUndefined();
  });

  it('fetches nothing for a text without a link', async () => {
    expect(await fetchLinkPreview('just words', { allowPrivate: true })).toBeUndefined();
    expect(requests).toEqual([]);
  });

  it('never fetches a private or loopback address unless allowed (the SSRF guard), and sends the text without a preview', async () => {
    expect(await fetchLinkPreview(`${base}/page`)).toBeUndefined();
    expect(requests).toEqual([]);
  });

  it('fetches a link once while its preview is kept, and again once the clock passes 10 minutes', async () => {
    const clock = new ManualClock();
    const previews = createLinkPreviews({ allowPrivate: true, clock });
    const first = await previews(`Katalog ${base}/page`);
    expect(await previews(`Lihat lagi ${base}/page!`)).toBe(first);
    expect(requests.filter((path) => path === '/page')).toHaveLength(1);
    await clock.advance(LINK_PREVIEW_LIMITS.keptMs);
    expect(await previews(`${base}/page`)).toEqual(first);
    expect(requests.filter((path) => path === '/page')).toHaveLength(2);
  });

  it('gives up on a page still silent when the clock it is given passes the time limit', async () => {
    const clock = new ManualClock();
    const preview = fetchLinkPreview(`${base}/silent`, { allowPrivate: true, clock });
    await vi.waitFor(() => expect(clock.sleeping).toBe(1));
    await clock.advance(LINK_PREVIEW_LIMITS.timeoutMs);
    expect(await preview).toBeUndefined();
  });
});
