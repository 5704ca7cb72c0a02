// Audio first on a weak uplink: when the browser's estimate of what it can send drops
// below LOW, Opus goes from 24 to 12 kbit/s (still clear speech); above HIGH it returns.
// The gap between LOW and HIGH keeps it from flapping. LOW is for really narrow uplinks
// (the 128 kbit/s edge link reads ~70 kbit/s): at 12 kbit/s no in-band FEC fits, and
// browsers on 1-2 Mbit/s lossy or busy links read 140-200 kbit/s, which at the old 200
// kbit/s threshold cost their listeners FEC (3-4 % of their speech concealed).
export const AUDIO_NORMAL_BPS = 24_000;
export const AUDIO_LOW_BPS = 12_000;
export const LOW = 120_000;
export const HIGH = 200_000;

export function nextAudioBitrate(current: number, availableOutgoingBps: number | undefined): number {
  if (availableOutgoingBps === undefined) return current;
  if (current === AUDIO_NORMAL_BPS && availableOutgoingBps < LOW) return AUDIO_LOW_BPS;
  if (current === AUDIO_LOW_BPS && availableOutgoingBps > HIGH) return AUDIO_NORMAL_BPS;
  return current;
}

/** availableOutgoingBitrate of the selected candidate pair, from an RTCStatsReport. */
export function availableOutgoing(report: RTCStatsReport): number | undefined {
  let value: number | undefined;
  report.forEach((s: { type?: string; nominated?: boolean; state?: string; availableOutgoingBitrate?: number }) => {
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.availableOutgoingBitrate === 'number') value = s.availableOutgoingBitrate;
  });
  return value;
}
