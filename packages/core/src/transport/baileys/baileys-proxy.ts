import type { ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WASocket } from 'baileys';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';
import type { BaileysModule } from './baileys-module.js';

type ConnectTarget = Parameters<HttpsProxyAgent<string>['connect']>[1];

/**
 * Why a proxy would not carry a connection, as an errno-like `code` (the reconnect policy names the session's
 * reason by it; Baileys reads any `E…` code of a socket error as a network failure, close code 408).
 */
export class ProxyRefusal extends Error {
  constructor(
    readonly code: 'EPROXY407' | 'EPROXYSTATUS' | 'ESOCKSAUTH' | 'ESOCKSREFUSED' | 'ESOCKSHANDSHAKE' | 'EPROXYDOWN',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProxyRefusal';
  }
}

/** A proxy's answer to a tunnel request other than 200, or a failure reaching it, as a {@link ProxyRefusal}. */
async function tunnel<S extends Duplex>(req: ClientRequest, open: () => Promise<S>): Promise<S> {
  let answer: { statusCode: number; statusText: string } | undefined;
  req.once('proxyConnect', (connect: { statusCode: number; statusText: string }) => (answer = connect));
  let socket: S;
  try {
    socket = await open();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    // The SOCKS client passes the socket's error on as its message alone, without the code.
    if (code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(message ?? ''))
      throw new ProxyRefusal('EPROXYDOWN', 'the proxy refused the connection', { cause: error });
    throw socksRefusal(error, message ?? '') ?? error;
  }
  // https-proxy-agent replays a refusal to the request as if the destination had answered it: end it here instead.
  if (answer && answer.statusCode !== 200) {
    socket.destroy();
    const status = `${answer.statusCode} ${answer.statusText}`;
    throw new ProxyRefusal(answer.statusCode === 407 ? 'EPROXY407' : 'EPROXYSTATUS', `the proxy answered ${status}`);
  }
  return socket;
}

/** A SOCKS client's error as a {@link ProxyRefusal}; undefined for any other error. */
function socksRefusal(error: unknown, message: string): ProxyRefusal | undefined {
  if (/authentication failed/i.test(message)) return new ProxyRefusal('ESOCKSAUTH', message, { cause: error });
  if (/proxy rejected connection/i.test(message)) return new ProxyRefusal('ESOCKSREFUSED', message, { cause: error });
  // Any other failure of the handshake: some servers answer refused credentials with a malformed reply, which
  // the client reports only as an internal error.
  if (/socks/i.test(message)) return new ProxyRefusal('ESOCKSHANDSHAKE', message, { cause: error });
  return undefined;
}

/** Where every connection is sent instead of the host it names (the test media host), if anywhere. */
type Redirect = { hostname: string; port: number } | undefined;

function towards(target: ConnectTarget, redirect: Redirect): ConnectTarget {
  return redirect ? { ...target, host: redirect.hostname, port: redirect.port, secureEndpoint: false } : target;
}

/**
 * An agent through `proxyUrl` whose refusals are named ({@link ProxyRefusal}) and whose connections all go to
 * `redirect`, when set.
 */
function proxyAgent(proxyUrl: string, redirect: Redirect): HttpsProxyAgent<string> | SocksProxyAgent {
  const agent = proxyUrl.startsWith('socks') ? new SocksProxyAgent(proxyUrl) : new HttpsProxyAgent(proxyUrl);
  const connect = agent.connect.bind(agent);
  agent.connect = (req: ClientRequest, target: ConnectTarget) =>
    tunnel(req, () => connect(req, towards(target, redirect)));
  return agent;
}

/** The agents of one proxy: node's HTTP agents for the socket and uploads, and undici's dispatcher for fetches. */
export interface ProxyAgents {
  /** For the WhatsApp WebSocket (Baileys' `agent`). */
  agent: HttpsProxyAgent<string> | SocksProxyAgent;
  /** For media uploads (Baileys' `fetchAgent`): to the test media host, when `mediaUrl` is set. */
  fetchAgent: HttpsProxyAgent<string> | SocksProxyAgent;
  /** For fetched media (Baileys' `options.dispatcher`). */
  dispatcher: Dispatcher;
}

/** The agents through `proxyUrl` (`http://`, `https://` or `socks5://`, credentials allowed). */
export function proxyAgents(proxyUrl: string, mediaUrl?: string): ProxyAgents {
  const media = mediaUrl ? new URL(mediaUrl) : undefined;
  const redirect = media && { hostname: media.hostname, port: Number(media.port || 80) };
  const dispatcher = proxyDispatcher(proxyUrl, mediaUrl);
  return { agent: proxyAgent(proxyUrl, undefined), fetchAgent: proxyAgent(proxyUrl, redirect), dispatcher };
}

// One dispatcher per proxy and media host, kept: each holds a pool of connections through the proxy.
const dispatchers = new Map<string, Dispatcher>();

/** undici's dispatcher through `proxyUrl`, to the test media host (`mediaUrl`) when set, for fetched media. */
export function proxyDispatcher(proxyUrl: string, mediaUrl?: string): Dispatcher {
  const key = `${proxyUrl} ${mediaUrl ?? ''}`;
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    const base = proxyUrl.startsWith('socks') ? new Socks5ProxyAgent(proxyUrl) : new ProxyAgent(proxyUrl);
    const origin = mediaUrl ? new URL(mediaUrl).origin : undefined;
    dispatcher = origin
      ? base.compose((dispatch) => (options, handler) => dispatch({ ...options, origin }, handler))
      : base;
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/** The Baileys module whose sockets connect through `proxyUrl`, if one is given: the WebSocket and media alike. */
export function withProxy(baileys: BaileysModule, proxyUrl: string | undefined, mediaUrl?: string): BaileysModule {
  if (!proxyUrl) return baileys;
  const { agent, fetchAgent, dispatcher } = proxyAgents(proxyUrl, mediaUrl);
  return {
    ...baileys,
    makeWASocket: (config): WASocket =>
      baileys.makeWASocket({
        ...config,
        agent,
        fetchAgent,
        // Node's fetch takes undici's dispatcher, which RequestInit's type does not name.
        options: { ...config.options, dispatcher } as unknown as RequestInit,
      }),
  };
}
