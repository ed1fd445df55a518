import { describe, expect, it } from 'vitest';
import { mp3, oggOpus, wav } from '../../../../tests/support/media-samples.js';
import { voiceNoteFacts, waveformOf } from './voice-note.js';

describe('voiceNoteFacts', () => {
  it("reads an Ogg/Opus note's length from its last granule position less the pre-skip", async () => {
    // 150 frames of 20 ms = 3 s of audio after the 312-sample pre-skip.
    expect((await voiceNoteFacts(oggOpus({ loudFrames: 75, quietFrames: 75 }))).seconds).toBe(3);
    expect((await voiceNoteFacts(oggOpus({ loudFrames: 100, quietFrames: 0, preSkip: 3840 }))).seconds).toBe(2);
  });

  it('draws 64 loudness values from the decoded audio: loud where it is loud, zero where it is silent', async () => {
    const { waveform } = await voiceNoteFacts(oggOpus({ loudFrames: 50, quietFrames: 50 }));
    expect(waveform).toHaveLength(64);
    expect(Math.max(...waveform)).toBe(100);
    // One second of noise, then one of silence.
    expect(waveform.slice(0, 32).every((value) => value > 0)).toBe(true);
    expect(waveform.slice(32).every((value) => value === 0)).toBe(true);
  });

  it('reads a ten-minute note a chunk at a time: its length, and the loud minute and silence where they are', async () => {
    // 30 000 frames of 20 ms, about 2.6 MB: decoded at once its samples alone would take 115 MB.
    const { seconds, waveform } = await voiceNoteFacts(oggOpus({ loudFrames: 3000, quietFrames: 27_000 }));
    expect(seconds).toBe(600);
    expect(waveform.slice(0, 6).every((value) => value > 0)).toBe(true);
    expect(waveform.slice(7).every((value) => value === 0)).toBe(true);
  });

  it('refuses an MP3, a WAV and text, naming media_url and saying it must be Ogg/Opus', async () => {
    for (const data of [mp3(), wav(), Buffer.from('not audio at all')]) {
      await expect(voiceNoteFacts(data)).rejects.toMatchObject({
        code: 'validation',
        details: { media_url: [expect.stringContaining('Ogg/Opus')] },
      });
    }
  });

  it('refuses an Ogg stream that is not Opus (Vorbis), naming media_url', async () => {
    const vorbis = oggOpus();
    vorbis.write('\u0001vorbis\u0000', 28, 'latin1');
    await expect(voiceNoteFacts(vorbis)).rejects.toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringContaining('Ogg/Opus')] },
    });
  });

  it('refuses an Ogg/Opus stream with headers and no audio, naming media_url', async () => {
    await expect(voiceNoteFacts(oggOpus({ loudFrames: 0, quietFrames: 0 }))).rejects.toMatchObject({
      code: 'validation',
      details: { media_url: [expect.stringContaining('no audio')] },
    });
  });
});

describe('waveformOf', () => {
  it('scales 64 slices so the loudest is 100, and is all zeros for silence', () => {
    const ramp = Array.from({ length: 64 }, (_, slice) => slice / 630);
    const waveform = waveformOf(ramp);
    expect(waveform[0]).toBe(0);
    expect(waveform[63]).toBe(100);
    expect(waveform[32]).toBe(Math.round((100 * 32) / 63));
    expect([...waveformOf(Array(64).fill(0))]).toEqual(Array(64).fill(0));
  });

  it("is a Buffer, so serialisations that carry Buffers as bytes (the remote network's) do not turn it into an object", () => {
    expect(Buffer.isBuffer(waveformOf(Array(64).fill(0.1)))).toBe(true);
  });
});
