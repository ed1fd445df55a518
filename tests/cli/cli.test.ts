import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { freshPostgresUrl } from '../support/postgres.js';
import { runKirim, startKirim, startKirimOnTerminal } from './run-kirim.js';

const FIXTURE = 'tests/fixtures/contacts-libreoffice.xlsx';
// The upper half-block the terminal QR drawing is made of.
const QR_DRAWING = /▄{7}/;
// Terminal escape sequences start with it.
const ESC = '\u001b';

describe('kirim --help', () => {
  it('lists every command, and each command explains itself with --help', async () => {
    const commands = [
      'start',
      'sessions',
      'link',
      'send',
      'import',
      'user create',
      'user list',
      'token create',
      'token list',
      'token revoke',
      'migrate',
    ];
    const overview = await runKirim(['--help'], {});
    expect(overview.code).toBe(0);
    for (const command of commands) expect(overview.stdout).toContain(`  kirim ${command}`);
    expect(overview.stdout).toContain('--json');

    const own = await Promise.all(commands.map((command) => runKirim([...command.split(' '), '--help'], {})));
    own.forEach((run, i) => {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: kirim ${commands[i]}`));
    });
  }, 120_000);

  it('exits 2 with one line naming the mistake and where to read more, for an unknown option or command', async () => {
    const option = await runKirim(['sessions', '--colour'], {});
    expect(option).toEqual({
      code: 2,
      stdout: '',
      stderr: "kirim: Unknown option '--colour': see `kirim sessions --help`\n",
    });
    const command = await runKirim(['sesions'], {});
    expect(command).toEqual({
      code: 2,
      stdout: '',
      stderr: 'kirim: unknown command "sesions": `kirim --help` lists every command\n',
    });
  }, 60_000);
});

describe('kirim, against a server that is not there', () => {
  it('says in one line that it cannot reach Kirim and how to fix it, and exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runKirim(['sessions'], { KIRIM_URL: url, KIRIM_TOKEN: 'kirim_anything' });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `kirim: cannot reach Kirim at ${url} (ECONNREFUSED): is it running? start it with \`kirim start\`, or set KIRIM_URL\n`,
    });
  }, 60_000);
});

describe('kirim user, token and migrate, with a configuration the server would refuse', () => {
  it('names the bad variable and why in one line, and exits 1', async () => {
    const run = await runKirim(['migrate'], { DATABASE_URL: 'mysql://localhost/kirim' });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'kirim: invalid configuration: DATABASE_URL: must be a postgres:// connection string: correct those environment variables\n',
    });
  }, 60_000);
});

describe.each(DATABASES)('kirim link, when the server stops while it waits for the phone, on %s', (database) => {
  it('says in one line that it lost the connection and where the session is, and exits 1', async () => {
    const network = createSimulatedNetwork({ clock: new ManualClock() });
    const t = await startTestServer(database, {}, { transport: network.transport });
    try {
      const link = startKirim(['link', 'Interrupted'], { KIRIM_URL: t.url, KIRIM_TOKEN: t.adminToken });
      await link.printed(QR_DRAWING);
      await t.server.close();
      const run = await link.exited;
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `kirim: lost the connection to Kirim at ${t.url} while waiting for the phone: the session is still there: see \`kirim sessions\`\n`,
      );
    } finally {
      await t.close().catch(() => undefined);
    }
  }, 60_000);
});

describe.each(DATABASES)('kirim against a running server, on %s', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  let clock: ManualClock;
  let dataDir: string;
  let databaseEnv: Record<string, string>;
  let server: Record<string, string>;
  const nextPhone = phoneSequence('62815', database);

  beforeAll(async () => {
    // The network's clock is the test's: its QR codes rotate when the test says so.
    clock = new ManualClock();
    network = createSimulatedNetwork({ clock });
    dataDir = await mkdtemp(join(tmpdir(), 'kirim-cli-'));
    // The database named outright, so the account commands open the very one the server uses.
    databaseEnv = database === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : { DATA_DIR: dataDir };
    t = await startTestServer(
      database,
      { ...databaseEnv, KIRIM_SEND_MIN_GAP_MS: '0', KIRIM_SEND_JITTER_MS: '0', KIRIM_AUTH_CACHE_MS: '0' },
      { transport: network.transport },
    );
    server = { KIRIM_URL: t.url, KIRIM_TOKEN: t.adminToken };
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The id of the session `kirim link` created under this name. */
  const sessionNamed = async (name: string): Promise<string> => {
    const listed = async () =>
      (await t.request('GET', '/api/whatsapp/sessions')).body.data as Array<{ id: string; name: string }>;
    return (await eventually(async () => (await listed()).find((s) => s.name === name)))!.id;
  };
  const statusOf = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;

  describe('kirim link', () => {
    it('draws the QR code, then prints the phone number once the phone scans it', async () => {
      const link = startKirim(['link', 'Front desk'], server);
      await link.printed(QR_DRAWING);
      const id = await sessionNamed('Front desk');
      const phone = nextPhone();
      await network.phone(phone).scanQr((await statusOf(id)).qr);

      const run = await link.exited;
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(`Session "Front desk" created: ${id}`);
      expect(run.stdout.indexOf('Linked to')).toBeGreaterThan(run.stdout.search(QR_DRAWING));
      expect(run.stdout).toContain(`Linked to +${phone}.`);
    }, 60_000);

    it('draws the new QR code when WhatsApp rotates it, and links by the new one', async () => {
      const link = startKirim(['link', 'Rotating'], server);
      await link.printed(QR_DRAWING);
      const id = await sessionNamed('Rotating');
      const first = (await statusOf(id)).qr;

      await clock.advance(60_000);
      await link.printed(/WhatsApp rotated the QR code; scan this one:\n.*▄{7}/);
      const rotated = (await statusOf(id)).qr;
      expect(rotated).not.toBe(first);
      const phone = nextPhone();
      await network.phone(phone).scanQr(rotated);

      const run = await link.exited;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Linked to +${phone}.`);
    }, 60_000);

    it('on a terminal, draws the rotated QR code over the first one', async () => {
      const link = startKirimOnTerminal(['link', 'At a terminal'], server);
      await link.printed(QR_DRAWING);
      const id = await sessionNamed('At a terminal');

      await clock.advance(60_000);
      // Up over the first caption and drawing, erase to the end of the screen, then the new ones.
      const redraw = new RegExp(`${ESC}\\[(\\d+)A${ESC}\\[0JWhatsApp rotated the QR code; scan this one:\r?\n.*▄{7}`);
      const [erase, up] = await link.printed(redraw);
      const output = (await link.printed(/[\s\S]*/))[0];
      const firstDrawing = output.slice(output.indexOf('On the phone:'), output.indexOf(erase));
      expect(firstDrawing.split('\n').length - 1).toBe(Number(up));
      const phone = nextPhone();
      await network.phone(phone).scanQr((await statusOf(id)).qr);

      const run = await link.exited;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Linked to +${phone}.`);
    }, 60_000);

    it('with --pairing-code, prints the code to type on the phone and links once it is entered', async () => {
      const phone = nextPhone();
      const link = startKirim(['link', 'By code', '--pairing-code', phone], server);
      const [, code] = await link.printed(/\n {4}([A-Z0-9]{4}-[A-Z0-9]{4})\n/);
      await network.phone(phone).enterPairingCode(code.replace('-', ''));

      const run = await link.exited;
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(QR_DRAWING);
      expect(run.stdout).toContain(`Linked to +${phone}.`);
    }, 60_000);

    it('with --json, prints the session, its QR code and the linked session as JSON lines', async () => {
      const link = startKirim(['link', 'Scripted', '--json'], server);
      const [, qr] = await link.printed(/"qr":"([^"]+)"/);
      const phone = nextPhone();
      await network.phone(phone).scanQr(qr);

      const run = await link.exited;
      expect(run.code).toBe(0);
      const [created, shown, linked] = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(created).toMatchObject({ name: 'Scripted' });
      expect(shown).toEqual({ session_id: created.id, qr });
      expect(linked).toMatchObject({ id: created.id, status: 'connected', phone });
    }, 60_000);
  });

  describe('kirim sessions and kirim send', () => {
    let sessionId: string;
    let phone: string;
    beforeAll(async () => {
      phone = nextPhone();
      sessionId = await linkSession(t, network, t.adminToken, phone, { name: 'Till' });
    });

    it('lists the session with its status and phone; --json as the API answers', async () => {
      const text = await runKirim(['sessions'], server);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(new RegExp(`^${sessionId}\\s+Till\\s+connected\\s+\\+${phone}$`, 'm'));

      const json = await runKirim(['sessions', '--json'], server);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual((await t.request('GET', '/api/whatsapp/sessions')).body.data);
      expect(JSON.parse(json.stdout)).toContainEqual(
        expect.objectContaining({ id: sessionId, status: 'connected', phone }),
      );
    }, 60_000);

    it('sends a text and says WhatsApp has it', async () => {
      const run = await runKirim(
        ['send', '--session', sessionId, '--to', '6281200000001', 'Hello from the CLI'],
        server,
      );
      expect(run.code).toBe(0);
      const sent = network.sent.find((m) => m.text === 'Hello from the CLI')!;
      expect(sent.to).toBe('6281200000001@s.whatsapp.net');
      expect(run.stdout).toMatch(
        new RegExp(`^Sent: WhatsApp message ${sent.messageId} \\((sent|delivered|read)\\)\\.\n$`),
      );
    }, 60_000);

    it('with --json, answers the sent message as the API does', async () => {
      const run = await runKirim(
        ['send', '--session', sessionId, '--to', '+62 812-0000-0002', 'Scripted hello', '--json'],
        server,
      );
      expect(run.code).toBe(0);
      const sent = network.sent.find((m) => m.text === 'Scripted hello')!;
      expect(JSON.parse(run.stdout)).toMatchObject({ message_id: sent.messageId, error: null });
      expect(['sent', 'delivered', 'read']).toContain(JSON.parse(run.stdout).status);
    }, 60_000);

    it('names the options at fault in one line when the server refuses the input, and exits 1', async () => {
      const run = await runKirim(['send', '--session', sessionId, '--to', 'not a number', 'Hi'], server);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^kirim: invalid --to \([^)\n]+\): see `kirim send --help`\n$/);
    }, 60_000);

    it('says the session is unknown and where the ids are, for a session that does not exist', async () => {
      const run = await runKirim(['send', '--session', 'no-such-session', '--to', '6281200000003', 'Hi'], server);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^kirim: [^\n]*not found: `kirim sessions` lists your sessions and their ids\n$/);
    }, 60_000);

    it('exits 2 naming what is missing, without asking the server', async () => {
      const run = await runKirim(['send', '--session', sessionId], server);
      expect(run).toEqual({ code: 2, stdout: '', stderr: 'kirim: missing --to, TEXT: see `kirim send --help`\n' });
    }, 60_000);

    it('says in one line that the token was refused, and how to get one', async () => {
      const run = await runKirim(['sessions'], { KIRIM_URL: t.url, KIRIM_TOKEN: 'kirim_nobody-holds-this-token' });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `kirim: Kirim at ${t.url} refused the token (Unauthorized - Invalid Token): set KIRIM_TOKEN or pass --token with a valid API token (\`kirim token create --email …\` makes one)\n`,
      );
    }, 60_000);
  });

  describe('kirim import', () => {
    it('imports the LibreOffice fixture, reporting each row not imported as new, with no progress bar when piped', async () => {
      const user = await t.createUser();
      const run = await runKirim(['import', FIXTURE], { KIRIM_URL: t.url, KIRIM_TOKEN: user.token });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^8 imported, 1 updated, 0 skipped, 1 failed \(sheet "[^"]+", header on row 1\)\.\n/);
      expect(run.stdout).toMatch(/^ {2}row 9: failed \(phone: [^;]+; email: [^)]+\)$/m);
      expect(run.stdout).toMatch(/^ {2}row 11: updated /m);
      expect((await t.request('GET', '/api/contacts', { token: user.token })).body.meta.total).toBe(8);
    }, 60_000);

    it('with --json, answers the import report as the API does', async () => {
      const user = await t.createUser();
      const run = await runKirim(['import', FIXTURE, '--skip-duplicates', '--json'], {
        KIRIM_URL: t.url,
        KIRIM_TOKEN: user.token,
      });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ imported: 8, updated: 0, skipped: 1, failed: 1 });
    }, 60_000);

    it('draws a progress bar on a terminal', async () => {
      const user = await t.createUser();
      const run = await startKirimOnTerminal(['import', FIXTURE], { KIRIM_URL: t.url, KIRIM_TOKEN: user.token }).exited;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Importing contacts-libreoffice.xlsx [##############################] 100%');
      expect(run.stdout).toContain('8 imported, 1 updated, 0 skipped, 1 failed');
    }, 60_000);
  });

  describe("kirim user and kirim token, on the server's database", () => {
    it('creates a user and a token the server accepts, lists it masked, and revokes it', async () => {
      const email = `cli-${database}@example.com`;
      const created = await runKirim(['user', 'create', '--name', 'Sari', '--email', email, '--json'], databaseEnv);
      expect(created.code).toBe(0);
      const user = JSON.parse(created.stdout);
      expect(user).toMatchObject({ name: 'Sari', email, role: 'user', plan: 'free' });

      const issued = await runKirim(['token', 'create', '--email', email, '--name', 'shop bot'], databaseEnv);
      expect(issued.code).toBe(0);
      const token = issued.stdout.trim();
      expect((await t.request('GET', '/api/me', { token })).body.data).toMatchObject({ id: user.id, email });

      const listed = await runKirim(['token', 'list', '--email', email, '--json'], databaseEnv);
      const [view] = JSON.parse(listed.stdout);
      expect(view).toMatchObject({ user_id: user.id, name: 'shop bot' });
      expect(token.startsWith(view.token.replace(/…$/, ''))).toBe(true);
      expect(listed.stdout).not.toContain(token);

      const revoked = await runKirim(['token', 'revoke', '--email', email, '--id', view.id], databaseEnv);
      expect(revoked).toEqual({ code: 0, stdout: `Token ${view.id} revoked.\n`, stderr: '' });
      expect((await t.request('GET', '/api/me', { token })).status).toBe(401);
    }, 120_000);

    it('names every bad field by its option in one line', async () => {
      const run = await runKirim(['user', 'create', '--email', 'not-an-email'], databaseEnv);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^kirim: invalid --name \([^)]+\) and --email \([^)]+\): see `kirim user create --help`\n$/,
      );
    }, 60_000);
  });
});
