// Embedding Kirim in your own Express app: `npx tsx examples/embed.ts`, then
// curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/api/contacts
import { createKirim } from '@kirim/core';
import { kirimRouter } from '@kirim/http-express';
import { createSqliteStorage } from '@kirim/storage-sqlite';
import express from 'express';

const storage = createSqliteStorage({ filename: ':memory:' });
await storage.migrate();
const kirim = createKirim({ storage });
await kirim.start();

const admin = await kirim.accounts.createUserUnchecked({ name: 'Ops', email: 'ops@example.com', role: 'admin' });
const actor = await kirim.accounts.actorFor(admin.id);
await kirim.contacts.create(actor, { name: 'Budi', phone: '0812-3456-7890', city: 'Bandung' });
const { token } = await kirim.accounts.issueTokenFor(admin.id, 'example');

const app = express();
app.get('/', (_req, res) => {
  res.send('Your own routes live beside Kirim’s.');
});
app.use('/api', kirimRouter(kirim));
const server = app.listen(3000, '127.0.0.1', () => console.log(`http://127.0.0.1:3000/api  token: ${token}`));

process.once('SIGINT', async () => {
  server.close();
  await kirim.stop();
  await storage.close();
});
