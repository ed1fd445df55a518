// A webhook receiver for Kirim: verifies each delivery's Standard Webhooks signature and drops repeats.
//   KIRIM_WEBHOOK_SECRET=whsec_… npx tsx examples/webhook-receiver.ts
// then subscribe it:  curl -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
//   -d '{"url":"https://your-host/kirim-hooks","events":["message.received","message.status"]}' http://127.0.0.1:8000/api/webhooks
// Deliveries are at-least-once: the same event may arrive again (a retry after a timeout, a restart, a
// manual redeliver), always with the same `webhook-id`. Answer 2xx quickly and drop ids already handled.
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const secret = process.env.KIRIM_WEBHOOK_SECRET;
if (!secret) throw new Error('Set KIRIM_WEBHOOK_SECRET to the secret shown when the webhook was created');
const webhook = new Webhook(secret);

// In production keep handled ids where they survive a restart (a unique column in your database) for
// at least as long as Kirim retries (about a day); a bounded in-memory set shows the idea.
const handled = new Set<string>();
const remember = (id: string) => {
  handled.add(id);
  if (handled.size > 100_000) handled.delete(handled.values().next().value!);
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event: { id: string; type: string; timestamp: string; data: unknown };
    try {
      // Checks the HMAC over `webhook-id.webhook-timestamp.body` and that the timestamp is within 5 minutes.
      event = webhook.verify(body, req.headers as Record<string, string>) as typeof event;
    } catch (error) {
      res.writeHead(error instanceof WebhookVerificationError ? 401 : 400).end();
      return;
    }
    const id = String(req.headers['webhook-id']);
    if (handled.has(id)) {
      res.writeHead(204).end(); // a repeat: already handled, acknowledge it again
      return;
    }
    remember(id);
    console.log(`${event.timestamp} ${event.type}`, JSON.stringify(event.data));
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 4000), () =>
  console.log(`receiving Kirim webhooks on :${process.env.PORT ?? 4000}`),
);
