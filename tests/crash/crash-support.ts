import type { SimulatedNetwork } from '@kirim/core';
import { eventually } from '../support/eventually.js';
import type { ServerProcess } from '../support/server-process.js';

/** A server's environment for crash tests: the loopback network, no rate limits, short leases and grace. */
export function crashEnv(networkUrl: string): Record<string, string> {
  return {
    KIRIM_TRANSPORT: 'remote-simulated',
    KIRIM_SIMULATED_NETWORK_URL: networkUrl,
    KIRIM_SEND_MIN_GAP_MS: '0',
    KIRIM_SEND_JITTER_MS: '0',
    KIRIM_SEND_DAILY_CAP: '0',
    KIRIM_DISPATCH_POLL_MS: '10',
    KIRIM_LEASE_MS: '3000',
    KIRIM_HEARTBEAT_MS: '200',
    KIRIM_UNKNOWN_GRACE_MS: '1000',
    KIRIM_SECRET_KEY: 'crash-test-secret-key-0123456789',
  };
}

/** Creates a session on `server` and links it to `phone` on the network. */
export async function linkSession(server: ServerProcess, network: SimulatedNetwork, phone: string): Promise<string> {
  const id = (await server.request('POST', '/api/whatsapp/sessions', { session_name: `device-${phone}` })).body.data
    .id as string;
  // Under load a lease can change hands while linking, even after a scan (the new owner shows a new QR,
  // as a real phone would have to scan again): scan whichever QR is current until the session is connected.
  let scanned: string | null = null;
  await eventually(
    async () => {
      const status = (await server.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data as {
        status: string;
        qr: string | null;
      };
      if (status.status === 'connected') return true;
      if (status.qr && status.qr !== scanned) {
        scanned = status.qr;
        await network
          .phone(phone)
          .scanQr(status.qr)
          .catch(() => (scanned = null));
      }
      return false;
    },
    20_000,
    100,
  );
  return id;
}

/**
 * Each recipient's distinct WhatsApp message ids received from these sessions. A row resent after a
 * crash goes out under its first id, which WhatsApp apps show once: one id is one message.
 */
export function recipientsReached(network: SimulatedNetwork, ...sessionIds: string[]): Map<string, Set<string>> {
  const reached = new Map<string, Set<string>>();
  for (const send of network.sent) {
    if (!sessionIds.includes(send.sessionId)) continue;
    const ids = reached.get(send.to) ?? new Set<string>();
    ids.add(send.messageId);
    reached.set(send.to, ids);
  }
  return reached;
}
