import type { SessionStatusView, SessionView } from '@kirim/core';
import QRCode from 'qrcode';
import { CliError, usageError, type CommandContext, type CommandModule } from './command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectToKirim, type KirimClient } from './kirim-client.js';

/** `kirim link NAME`: creates a session, shows its QR code (or pairing code) and waits until the phone links it. */
export const command: CommandModule = {
  options: { ...CONNECTION_OPTIONS, 'pairing-code': { type: 'string' } },
  help: `Creates a session named NAME and links it to a phone: draws its QR code here (redrawn each time WhatsApp
rotates it) and waits until the phone scans it, then prints the phone number.
  --pairing-code PHONE  link by an 8-character code typed on the phone (its number, e.g. 6281234567890) instead
${CONNECTION_HELP}
  --json         one JSON line a step: the session created, each QR code ({session_id, qr}) or the pairing
                 code ({session_id, pairing_code}), and the linked session last`,

  takesArguments: true,
  fixes: { not_found: '`kirim sessions` lists your sessions and their ids' },
  async run(context) {
    const { values, positionals, emit } = context;
    if (positionals.length === 0) throw usageError('missing NAME');
    const kirim = connectToKirim(values);
    const pairingPhone = typeof values['pairing-code'] === 'string' ? values['pairing-code'] : undefined;
    const stop = new AbortController();
    try {
      // Listening before the session exists: its first QR code cannot slip by.
      const events = await kirim.events(stop.signal);
      const session = (
        await kirim.call<SessionView>('POST', '/whatsapp/sessions', { session_name: positionals.join(' ') })
      ).data;
      const path = `/whatsapp/sessions/${encodeURIComponent(session.id)}`;
      emit(session, `Session "${session.name}" created: ${session.id}`);
      const linked = linkingSteps(context, kirim, session, pairingPhone);
      let connected = await linked((await kirim.call<SessionStatusView>('GET', `${path}/status`)).data);
      if (!connected)
        for await (const event of events) {
          if (event.type !== 'session.qr' && event.type !== 'session.status') continue;
          const data = event.data as LinkingState & { session_id: string };
          if (data.session_id === session.id) connected = await linked({ ...data, status: data.status ?? 'qr' });
          if (connected) break;
        }
      if (!connected)
        throw new CliError(
          `lost the connection to Kirim at ${kirim.url} while waiting for the phone`,
          'the session is still there: see `kirim sessions`',
        );
      const view = (await kirim.call<SessionView>('GET', path)).data;
      return {
        data: view,
        text: `Linked to +${view.phone}. Send with: kirim send --session ${view.id} --to NUMBER "Hello"`,
      };
    } finally {
      stop.abort();
    }
  },
};

/** Linking's state as the status route and the `session.qr` and `session.status` events tell it. */
interface LinkingState {
  status: string;
  reason?: string | null;
  qr?: string | null;
}

/**
 * What `kirim link` does at each state of the session it links; resolves true once it is connected. Shows each QR
 * code, or asks for the pairing code once WhatsApp offers a link (it refuses before); a session that failed or was
 * refused ends the command.
 */
function linkingSteps(
  context: CommandContext,
  kirim: KirimClient,
  session: SessionView,
  pairingPhone: string | undefined,
): (state: LinkingState) => Promise<boolean> {
  const showQr = qrScreen(context, session.id);
  let pairingAsked = false;
  return async (state) => {
    if (state.status === 'qr' && pairingPhone && !pairingAsked) {
      pairingAsked = true;
      const path = `/whatsapp/sessions/${encodeURIComponent(session.id)}/pairing-code`;
      const { pairing_code } = (await kirim.call<{ pairing_code: string }>('POST', path, { phone: pairingPhone })).data;
      const shown = pairing_code.replace(/^(.{4})(.{4})$/, '$1-$2');
      context.emit(
        { session_id: session.id, pairing_code },
        `On the phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and enter\n\n    ${shown}\n`,
      );
    }
    if (state.qr && !pairingPhone) await showQr(state.qr);
    if (state.status === 'failed' || state.status === 'logged_out')
      throw new CliError(
        `linking "${session.name}" ${state.status === 'failed' ? 'failed' : 'was refused'}${state.reason ? `: ${state.reason}` : ''}`,
        'run `kirim link NAME` again',
      );
    return state.status === 'connected';
  };
}

/**
 * Shows each new QR code: drawn on a terminal in place of the one before; printed one after the other when the
 * output is piped; a JSON line each under `--json`.
 */
function qrScreen({ json, stdout, emit }: CommandContext, sessionId: string): (qr: string) => Promise<void> {
  let shown: string | undefined;
  let drawnLines = 0;
  return async (qr) => {
    if (qr === shown) return;
    const caption = shown
      ? 'WhatsApp rotated the QR code; scan this one:'
      : 'On the phone: WhatsApp → Settings → Linked devices → Link a device, and scan:';
    shown = qr;
    if (json) return emit({ session_id: sessionId, qr }, '');
    const drawing = (await QRCode.toString(qr, { type: 'terminal', small: true })).replace(/\n*$/, '\n');
    const erase = stdout.isTTY && drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[0J` : '';
    const block = `${caption}\n${drawing}`;
    stdout.write(erase + block);
    drawnLines = block.split('\n').length - 1;
  };
}
