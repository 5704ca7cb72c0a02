// Table-driven decisions of the sender's ladder controller, and a recovery scenario.
import { describe, expect, it } from 'vitest';
import { BW_CONFIRM_MS, decide, HOLD_MS, initialState, LADDER, rungForLayer, rungForUplink, type LadderState, type SenderInput } from '../../client/src/features/media/sendLadder.js';

const calm: SenderInput = { now: 100_000, qualityLimitation: 'none', encodeMs: 3, uplinkBps: 5_000_000, watchedRung: 0, saveData: false, weakDevice: false };
const at = (rung: number, changedAt = 0): LadderState => ({ rung, trouble: rung, changedAt, upAt: -Infinity, holdMs: HOLD_MS, reason: 'x', startedAt: 0 });
const name = (s: LadderState) => LADDER[s.rung]!.name;
/** The encoder has reported 'bandwidth' for two ladder ticks already. */
const bw = (rung: number, changedAt = 0): LadderState => ({ ...at(rung, changedAt), bwSince: 100_000 - BW_CONFIRM_MS });

describe('decide', () => {
  it.each([
    ['all fine at the top stays', at(0), {}, '720p30'],
    ['CPU-limited steps down one rung at once', at(0), { qualityLimitation: 'cpu' }, '360p24'],
    ['slow encoding counts as CPU-limited', at(1), { encodeMs: 35 }, '180p15'],
    ['bandwidth-limited jumps to the rung the uplink carries', bw(0), { uplinkBps: 200_000, qualityLimitation: 'bandwidth' }, '180p15'],
    ['a low estimate alone is not a limit (it follows what is sent)', at(2, 95_000), { uplinkBps: 200_000 }, '180p15'],
    ['bandwidth-limited with a fine estimate: still one rung down', bw(0), { uplinkBps: 5_000_000, qualityLimitation: 'bandwidth' }, '360p24'],
    ['one "bandwidth" reading is no verdict yet (the estimate dips now and then)', at(0), { uplinkBps: 200_000, qualityLimitation: 'bandwidth' }, '720p30'],
    ['a step down for bandwidth alone recovers after half the hold (the step up is the probe)', { ...at(2, 100_000 - HOLD_MS / 2), bwDown: true }, {}, '360p24'],
    ['a step down for CPU waits the whole hold', at(2, 100_000 - HOLD_MS / 2), {}, '180p15'],
    ['no bandwidth verdict during the ramp-up', { ...at(0), startedAt: 95_000 }, { uplinkBps: 200_000, qualityLimitation: 'bandwidth' }, '720p30'],
    ['CPU-limited at the bottom video rung: still images', at(3), { qualityLimitation: 'cpu' }, 'still'],
    ['~20 kbit/s uplink: one reading takes video to its lowest rung, not off', bw(1), { uplinkBps: 20_000, qualityLimitation: 'bandwidth' }, '90p7'],
    ['still limited at the lowest video rung: still images', bw(3), { uplinkBps: 20_000, qualityLimitation: 'bandwidth' }, 'still'],
    ['nothing gets through at the lowest video rung: off', bw(3), { uplinkBps: 5_000, qualityLimitation: 'bandwidth' }, 'off'],
    ['stills: a stale "bandwidth" from the stopped encoder is ignored, recovery after the hold', at(4), { uplinkBps: 300_000, qualityLimitation: 'bandwidth' }, '90p7'],
    ['off: a stale "cpu" is ignored too', at(5), { qualityLimitation: 'cpu', encodeMs: 90 }, 'still'],
    ['stills: a stalling UI thread still keeps video from coming back', at(4), { jank: true }, 'still'],
    ['a stalling UI thread steps video down', at(1), { jank: true }, '180p15'],
    ['stills on an uplink that carries nothing: off', at(4, 99_000), { uplinkBps: 5_000 }, 'off'],
    ['nobody watches above 180p: no need to capture more', at(0), { watchedRung: 2 }, '180p15'],
    ['nobody watches at all: the smallest video rung', at(0), { watchedRung: null }, '90p7'],
    ['"save data": at most 180p', at(0), { saveData: true }, '180p15'],
    ['weak device: at most 360p', at(0), { weakDevice: true }, '360p24'],
    ['recovery after the hold: one rung up', at(2, 0), {}, '360p24'],
    ['no recovery inside the hold', at(2, 95_000), {}, '180p15'],
    ['still bandwidth-limited after the hold: further down, not up', bw(2, 0), { uplinkBps: 500_000, qualityLimitation: 'bandwidth' }, '90p7'],
    ['recovery with a low estimate that only follows what is sent', at(2, 0), { uplinkBps: 250_000 }, '360p24'],
    ['a cap that lifts applies at once (no hold)', { ...at(0), rung: 3, changedAt: 99_000 }, { watchedRung: 0 }, '720p30'],
    ['no recovery while encoding is slow for the next rung', at(2, 0), { encodeMs: 20 }, '180p15'],
  ] as const)('%s', (_n, state, patch, expected) => {
    expect(name(decide(state, { ...calm, ...patch }))).toBe(expected);
  });
});

describe('scenario', () => {
  it('CPU trouble, then recovery rung by rung, with a failed step up doubling the hold', () => {
    let s = initialState({ now: 0, weakDevice: false, saveData: false });
    const step = (now: number, patch: Partial<SenderInput> = {}) => { s = decide(s, { ...calm, now, ...patch }); return name(s); };
    expect(step(1000, { qualityLimitation: 'cpu' })).toBe('360p24');
    expect(step(3000, { qualityLimitation: 'cpu' })).toBe('180p15');
    expect(step(5000)).toBe('180p15'); // calm, but inside the hold
    expect(step(3000 + HOLD_MS)).toBe('360p24'); // hold over: one up
    expect(step(3000 + HOLD_MS + 2000, { qualityLimitation: 'cpu' })).toBe('180p15'); // the step up failed
    expect(s.holdMs).toBe(2 * HOLD_MS);
    expect(step(5000 + HOLD_MS + HOLD_MS)).toBe('180p15'); // the doubled hold still holds
    expect(step(5000 + HOLD_MS + 2 * HOLD_MS)).toBe('360p24');
  });

  it('a camera that recovers to the top rung anyone watches reports the cap, not "recovered"', () => {
    let s: LadderState = { ...at(2), reason: 'cpu' };
    s = decide(s, { ...calm, now: 100_000, watchedRung: 1 });
    expect([name(s), s.reason]).toEqual(['360p24', 'cap']);
    // Below the cap it is still climbing back: "recovered".
    s = decide({ ...at(2), reason: 'cpu' }, { ...calm, now: 100_000, watchedRung: 0 });
    expect([name(s), s.reason]).toEqual(['360p24', 'recovered']);
  });

  it('maps uplinks and dynacast hints to rungs', () => {
    expect([5e6, 1e6, 300e3, 100e3, 30e3, 1e3].map(rungForUplink)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([2, 1, 0, null].map((l) => rungForLayer(l, 3))).toEqual([0, 1, 2, null]);
  });
});

describe('bandwidth verdicts', () => {
  it('need two readings in a row, and each step down needs a fresh one', () => {
    let s = { ...initialState({ now: 0, weakDevice: false, saveData: false }) };
    const step = (now: number, patch: Partial<SenderInput> = {}) => { s = decide(s, { ...calm, now, ...patch }); return name(s); };
    const squeezed = { qualityLimitation: 'bandwidth', uplinkBps: 600_000 } as const;
    expect(step(20_000, squeezed)).toBe('720p30');
    expect(step(21_000)).toBe('720p30'); // the dip is over: the next one starts afresh
    expect(step(22_000, squeezed)).toBe('720p30');
    expect(step(24_000, squeezed)).toBe('360p24'); // two readings 2 s apart
    expect(s.bwDown).toBe(true);
    expect(step(26_000, squeezed)).toBe('360p24'); // a fresh verdict for the next rung
    expect(step(28_000, squeezed)).toBe('180p15');
    expect(step(28_000 + HOLD_MS / 2)).toBe('360p24'); // recovery after half the hold
    // That step up fails: the hold doubles, and the next step up waits all of it.
    expect(step(34_000, squeezed)).toBe('360p24');
    expect(step(36_000, squeezed)).toBe('180p15');
    expect(s.holdMs).toBe(2 * HOLD_MS);
    expect(s.bwDown).toBe(false);
    expect(step(36_000 + HOLD_MS)).toBe('180p15'); // half the doubled hold: still held
    expect(step(36_000 + 2 * HOLD_MS)).toBe('360p24');
  });
});
