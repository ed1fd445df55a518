import type { SessionView } from '@kirim/core';
import type { CommandModule } from './command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectToKirim } from './kirim-client.js';
import { textTable } from './text-table.js';

/** `kirim sessions`: the caller's sessions with their status and phone. */
export const command: CommandModule = {
  options: CONNECTION_OPTIONS,
  help: `Lists your WhatsApp sessions: id, name, status and the linked phone.
${CONNECTION_HELP}
  --json         the sessions as the API answers them`,

  async run({ values }) {
    const sessions = (await connectToKirim(values).call<SessionView[]>('GET', '/whatsapp/sessions')).data;
    if (sessions.length === 0) return { data: sessions, text: 'No sessions yet: link one with `kirim link NAME`.' };
    const rows = sessions.map((s) => [s.id, s.name, statusOf(s), s.phone && `+${s.phone}`]);
    return { data: sessions, text: textTable([['ID', 'NAME', 'STATUS', 'PHONE'], ...rows]) };
  },
};

/** The status, with why it is down and whether its breaker holds it out of sending. */
function statusOf(s: SessionView): string {
  const held = s.circuit_open_until && Date.parse(s.circuit_open_until) > Date.now();
  if (held) return `${s.status} (breaker open until ${new Date(s.circuit_open_until!).toLocaleTimeString()})`;
  return s.reason && s.status !== 'connected' ? `${s.status} (${s.reason})` : s.status;
}
