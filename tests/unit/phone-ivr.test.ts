// The caller's voice menu, step by step, and the SDP answer, table-driven.
import { describe, expect, it } from 'vitest';
import { initialIvr, ivrStep, type IvrAction, type IvrInput, type IvrState } from '../../server/src/phone/ivr.js';
import { answer, negotiate } from '../../server/src/phone/sdp.js';

function run(inputs: (string | boolean)[]): { state: IvrState; actions: IvrAction[] } {
  let { state, actions } = initialIvr();
  const all = [...actions];
  for (const i of inputs) {
    const input: IvrInput = typeof i === 'boolean' ? { type: 'checked', ok: i } : { type: 'digit', digit: i };
    ({ state, actions } = ivrStep(state, input));
    all.push(...actions);
  }
  return { state, actions: all };
}

describe('IVR', () => {
  it('meeting number, #, PIN, # asks for a check; a good check enters the meeting', () => {
    const r = run([...'1234567890#4711#']);
    expect(r.actions.at(-1)).toEqual({ type: 'check', room: '1234567890', pin: '4711' });
    expect(run([...'1234567890#4711#', true]).state.step).toBe('meeting');
  });
  it('star first switches to English', () => {
    expect(run(['*']).state.lang).toBe('en');
    expect(run(['*', '*']).state.lang).toBe('de');
  });
  it('three wrong attempts end the call', () => {
    const r = run([...'1#2#', false, ...'1#2#', false, ...'1#2#', false]);
    expect(r.state.step).toBe('done');
    expect(r.actions.slice(-2)).toEqual([{ type: 'play', prompt: 'goodbye' }, { type: 'hangup' }]);
    expect(r.actions.filter((a) => a.type === 'play' && a.prompt === 'wrong')).toHaveLength(2);
  });
  it('star during the PIN starts the PIN over; junk keys are ignored; digits are bounded', () => {
    expect(run([...'12#', '9', '9', '*', ...'55#']).actions.at(-1)).toEqual({ type: 'check', room: '12', pin: '55' });
    expect(run([...'1A2#']).state).toMatchObject({ step: 'pin', room: '12' });
    expect((run([...'1'.repeat(40)]).state as { digits: string }).digits).toHaveLength(16);
  });
  const keypad: [string, string[], IvrAction[]][] = [
    ['*6 mutes or unmutes', ['*', '6'], [{ type: 'command', command: 'mute' }]],
    ['*9 raises or lowers the hand', ['*', '9'], [{ type: 'command', command: 'hand' }]],
    ['*0 is help', ['*', '0'], [{ type: 'command', command: 'help' }]],
    ['1 votes yes (first option)', ['1'], [{ type: 'vote', choice: 1 }]],
    ['3 abstains', ['3'], [{ type: 'vote', choice: 3 }]],
    ['*5 is nothing', ['*', '5'], []],
    ['# is nothing', ['#'], []],
  ];
  for (const [name, keys, expected] of keypad) {
    it(`in the meeting: ${name}`, () => {
      const start = run([...'1#2#', true]);
      let state = start.state;
      const actions: IvrAction[] = [];
      for (const k of keys) { const r = ivrStep(state, { type: 'digit', digit: k }); state = r.state; actions.push(...r.actions); }
      expect(actions).toEqual(expected);
    });
  }
});

const OFFER = (m: string, extra = '') => `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m}${extra}`;
describe('SDP negotiation', () => {
  const cases: [string, string, string][] = [
    ['PCMA preferred over PCMU', OFFER('m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n'), 'PCMA/8/101'],
    ['PCMU alone, no keypad events', OFFER('m=audio 4000 RTP/AVP 0\r\n'), 'PCMU/0/null'],
    ['dynamic telephone-event payload type', OFFER('m=audio 4000 RTP/AVP 8 96\r\na=rtpmap:96 telephone-event/8000\r\n'), 'PCMA/8/96'],
    ['only G.722: 488', OFFER('m=audio 4000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n'), 'no common codec'],
    ['only Opus: 488', OFFER('m=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n'), 'no common codec'],
    ['SRTP: 488', OFFER('m=audio 4000 RTP/SAVP 8\r\n'), 'not supported'],
    ['no audio: 488', OFFER('m=video 4000 RTP/AVP 96\r\n'), 'no audio'],
    ['garbage: 488', 'this is not sdp', 'no audio'],
  ];
  for (const [name, offer, expected] of cases) {
    it(name, () => {
      const r = negotiate(offer);
      expect(r.ok ? `${r.media.codec}/${r.media.payloadType}/${r.media.dtmfPayloadType}` : r.reason).toContain(expected);
    });
  }
  it('the answer names our address, the codec and telephone-event', () => {
    const r = negotiate(OFFER('m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n'));
    if (!r.ok) throw new Error(r.reason);
    const sdp = answer(r.media, '127.0.0.1', 5000, 42);
    expect(sdp).toContain('m=audio 5000 RTP/AVP 8 101');
    expect(sdp).toContain('a=rtpmap:101 telephone-event/8000');
  });
});
