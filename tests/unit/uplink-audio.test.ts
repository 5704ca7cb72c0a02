// The microphone's bitrate on a weak uplink: 12 kbit/s only where the uplink is really
// narrow, with hysteresis; 24 kbit/s elsewhere, so that in-band FEC fits.
import { describe, expect, it } from 'vitest';
import { AUDIO_LOW_BPS, AUDIO_NORMAL_BPS, nextAudioBitrate } from '../../client/src/features/media/uplink.js';

describe('nextAudioBitrate', () => {
  it.each([
    ['the edge link (128 kbit/s up, read ~70 kbit/s): 12 kbit/s', AUDIO_NORMAL_BPS, 70_000, AUDIO_LOW_BPS],
    ['a lossy 2 Mbit/s link read at 150 kbit/s keeps 24 kbit/s (FEC fits)', AUDIO_NORMAL_BPS, 150_000, AUDIO_NORMAL_BPS],
    ['no estimate: unchanged', AUDIO_LOW_BPS, undefined, AUDIO_LOW_BPS],
    ['hysteresis: 12 kbit/s stays below 200 kbit/s', AUDIO_LOW_BPS, 180_000, AUDIO_LOW_BPS],
    ['back to 24 kbit/s above 200 kbit/s', AUDIO_LOW_BPS, 210_000, AUDIO_NORMAL_BPS],
  ] as const)('%s', (_n, current, estimate, expected) => {
    expect(nextAudioBitrate(current, estimate)).toBe(expected);
  });
});
