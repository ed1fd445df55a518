import { get } from 'node:http';
import { createServer } from 'node:net';
import { Server as HttpProxyServer } from 'proxy-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyAgents } from './baileys-proxy.js';
import { decideOnClose } from './reconnect-policy.js';

/** The error (and its errno-like code) a request through `proxyUrl` fails with, as ws hands it to Baileys. */
function failureThrough(proxyUrl: string): Promise<Error & { code?: string }> {
  return new Promise((resolve, reject) => {
    get('http://127.0.0.1:9/', { agent: proxyAgents(proxyUrl).agent }, () => reject(new Error('answered'))).on(
      'error',
      resolve,
    );
  });
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('proxyAgents', () => {
  let proxy: HttpProxyServer;
  let port: number;
  beforeAll(async () => {
    port = await unusedPort();
    proxy = new HttpProxyServer({
      port,
      host: '127.0.0.1',
      prepareRequestFunction: ({ password }) => ({ requestAuthentication: password !== 'right' }),
    });
    await proxy.listen();
  });
  afterAll(async () => {
    await proxy?.close(true);
  });

  it("fails a connection the proxy answers 407 with EPROXY407, which the session's reason names", async () => {
    const error = await failureThrough(`http://kirim:wrong@127.0.0.1:${port}`);
    expect(error.code).toBe('EPROXY407');
    expect(decideOnClose(408, error.code)).toEqual({
      action: 'retry',
      reason: 'proxy refused: 407 Proxy Authentication Required',
    });
  });

  it('fails a connection to a SOCKS proxy that is not listening with EPROXYDOWN, though the SOCKS client drops the socket error code', async () => {
    const error = await failureThrough(`socks5://kirim:right@127.0.0.1:${await unusedPort()}`);
    expect(error.code).toBe('EPROXYDOWN');
    expect(decideOnClose(408, error.code)).toEqual({ action: 'retry', reason: 'proxy refused: connection refused' });
  });
});
