import { usageError, type CommandModule } from './command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectToKirim } from './kirim-client.js';

/** The part of the send answer this command reads (the API's answer is printed whole under --json). */
interface SendResult {
  id: number;
  message_id: string | null;
  status: string;
}

/** `kirim send --session ID --to N "text"`: one text message through a connected session. */
export const command: CommandModule = {
  options: { ...CONNECTION_OPTIONS, session: { type: 'string' }, to: { type: 'string' } },
  help: `Sends a text message from one of your sessions, and says whether WhatsApp has it.
  --session ID   the session to send from (\`kirim sessions\` lists them)
  --to NUMBER    the recipient: 6281234567890, +62 812-3456-7890, 0812… or a JID
  TEXT           the message (quote it; several words are joined by spaces)
${CONNECTION_HELP}
  --json         the sent message as the API answers it`,

  takesArguments: true,
  fixes: { not_found: '`kirim sessions` lists your sessions and their ids' },
  async run({ values, positionals }) {
    const missing = [!values.session && '--session', !values.to && '--to', positionals.length === 0 && 'TEXT'];
    if (missing.some(Boolean)) throw usageError(`missing ${missing.filter(Boolean).join(', ')}`);
    const answer = await connectToKirim(values).call<SendResult>('POST', '/whatsapp/messages/text', {
      session_id: values.session,
      to: values.to,
      message: positionals.join(' '),
    });
    const sent = answer.data;
    const text =
      answer.status === 202
        ? `Queued (${sent.status}): the session is holding it back (its sending limits, or reconnecting); it goes out by itself. Message ${sent.id}.`
        : `Sent: WhatsApp message ${sent.message_id} (${sent.status}).`;
    return { data: sent, text };
  },
};
