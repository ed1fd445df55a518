import { describe, expect, it } from 'vitest';
import { KirimError } from '../errors.js';
import type { Message } from '../messages/message-schemas.js';
import { validationError } from '../validation.js';
import { callerFault, invalidInput, sendFailedError } from './send-faults.js';

const row = (chat: string) => ({ chat }) as Message;
const boom = (status: number) => Object.assign(new Error('forbidden'), { isBoom: true, data: status });

describe('callerFault', () => {
  it('names media_url for a validation error before WhatsApp was asked, whatever field it named, and never "_"', () => {
    expect(
      callerFault(
        validationError({ media_url: ['the media host answered HTTP 404'] }),
        row('628@s.whatsapp.net'),
        false,
      ),
    ).toBe('invalid_input:media_url: the media host answered HTTP 404');
    expect(
      callerFault(validationError({ url: ['its host name does not exist'] }), row('628@s.whatsapp.net'), false),
    ).toBe('invalid_input:media_url: its host name does not exist');
    expect(callerFault(new KirimError('validation', 'Invalid media_url'), row('628@s.whatsapp.net'), false)).toBe(
      'invalid_input:media_url: Invalid media_url',
    );
  });

  it('names group_id when WhatsApp refuses a group the session is not in, and nothing for other failures', () => {
    expect(callerFault(boom(403), row('1203@g.us'), true)).toBe(
      'invalid_input:group_id: the session is not a participant of this group',
    );
    expect(callerFault(boom(403), row('628@s.whatsapp.net'), true)).toBeUndefined();
    expect(callerFault(boom(500), row('1203@g.us'), true)).toBeUndefined();
    expect(callerFault(validationError({ media_url: ['x'] }), row('628@s.whatsapp.net'), true)).toBeUndefined();
    expect(callerFault(new Error('rate-overlimit'), row('628@s.whatsapp.net'), false)).toBeUndefined();
  });
});

describe('sendFailedError', () => {
  it("answers 422 naming the field only for a row stored as the caller's fault (invalid_input:<media_url|group_id>:)", () => {
    expect(sendFailedError({ status: 'failed', error: invalidInput('media_url', 'is not an image') })).toMatchObject({
      code: 'validation',
      details: { media_url: ['is not an image'] },
    });
    expect(sendFailedError({ status: 'failed', error: invalidInput('group_id', 'no such group') })).toMatchObject({
      code: 'validation',
      details: { group_id: ['no such group'] },
    });
  });

  it('answers 503, not a 4xx, for a WhatsApp error that happens to start like "invalid <word>: "', () => {
    for (const error of [
      'invalid media_url: from WhatsApp',
      'invalid jid: 628@s.whatsapp.net',
      'invalid_input:_: no field',
      'invalid_input:text: not whitelisted',
    ]) {
      expect(sendFailedError({ status: 'failed', error }), error).toMatchObject({ code: 'unavailable' });
    }
  });
});

describe('callerFault and sendFailedError of an action on a message', () => {
  const action = (content: Message['content']) => ({ chat: '628@s.whatsapp.net', content }) as Message;

  it('names message_id, not media_url, for a forward whose message was deleted before it went', () => {
    const stored = callerFault(
      validationError({ message_id: ["is no longer in this session's history"] }),
      action({ type: 'forward', message_id: 'ABC' }),
      false,
    );
    expect(stored).toBe("invalid_input:message_id: is no longer in this session's history");
    expect(sendFailedError({ status: 'failed', error: stored! })).toMatchObject({
      code: 'validation',
      details: { message_id: ["is no longer in this session's history"] },
    });
  });

  it('keeps edit_window_closed naming message_id for an edit held past the 15 minutes, answered with that code', () => {
    const closed = new KirimError('edit_window_closed', 'too late', {
      details: { message_id: ['was sent at 2026-03-02T09:00:00.000Z, more than 15 minutes ago'] },
    });
    const stored = callerFault(closed, action({ type: 'edit', message_id: 'ABC', text: 'x' }), false);
    expect(stored).toBe(
      'edit_window_closed:message_id: was sent at 2026-03-02T09:00:00.000Z, more than 15 minutes ago',
    );
    expect(sendFailedError({ status: 'failed', error: stored! })).toMatchObject({
      code: 'edit_window_closed',
      details: { message_id: ['was sent at 2026-03-02T09:00:00.000Z, more than 15 minutes ago'] },
    });
  });
});
