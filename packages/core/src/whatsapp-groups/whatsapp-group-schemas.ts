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

export const sessionDeviceSchema = z.object({ session_device_id: z.string().trim().min(1).max(200) });
