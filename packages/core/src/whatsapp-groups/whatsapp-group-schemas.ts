import { z } from 'zod';

/** A saved copy of a WhatsApp group a session is in. */
export interface WhatsappGroup {
  id: string;
  user_id: string;
  session_id: string;
  jid: string;
  subject: string;
  description: string | null;
  owner: string | null;
  participants: Array<{ jid: string; phone: string | null; lid: string | null; admin: boolean }>;
  participants_count: number;
  group_created_at: string | null;
  created_at: string;
  updated_at: string;
}

const sessionIdInput = z.string().trim().min(1).max(200).optional();

/** Which session's saved groups: the document's `session_device_id`, or `session_id` as the other routes name it (both must agree). */
export const sessionDeviceSchema = z
  .object({ session_device_id: sessionIdInput, session_id: sessionIdInput })
  .transform((input, ctx) => {
    const { session_device_id: device, session_id: session } = input;
    if (device && session && device !== session) {
      for (const field of ['session_device_id', 'session_id'])
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'names another session than its alias; give one of them',
        });
      return z.NEVER;
    }
    const id = device ?? session;
    if (!id) {
      ctx.addIssue({ code: 'custom', path: ['session_device_id'], message: 'is required (or session_id)' });
      return z.NEVER;
    }
    return { session_device_id: id };
  });
