import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Files by path: their Content-Type and bytes. */
export type ServedFiles = Record<string, [contentType: string, data: Buffer]>;

/** A page with Open Graph tags: a title, a description and an image at `/cover.png`. */
export const OPEN_GRAPH_PAGE = `<!doctype html><html><head>
  <meta property="og:title" content="Katalog Toko Budi">
  <meta property="og:description" content="Harga baru minggu ini">
  <meta property="og:image" content="/cover.png">
</head><body>Katalog</body></html>`;

/** Serves `files` on loopback (404 for any other path), recording each path asked for in `fetched`. */
export async function serveFiles(files: ServedFiles): Promise<{ base: string; fetched: string[]; close(): void }> {
  const fetched: string[] = [];
  const server = createServer((req, res) => {
    fetched.push(req.url!);
    const file = files[req.url!];
    if (!file) return res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title>');
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, fetched, close: () => server.close() };
}
