// The Call's reaction to SFU pause notices: an SFU pause never means "camera off".
import { expect, it } from 'vitest';
import { Participant } from '../../client/src/features/media/participant.svelte.js';

it('camera-off follows only the producer, not SFU pause reasons', () => {
  const p = new Participant({ id: 'p', name: 'P', role: 'participant', producers: [{ id: 'cam', kind: 'video', source: 'camera', paused: false }], handRaisedAt: null, mutedByChair: false, canShareScreen: true, channel: 'browser' as const });
  expect(p.cameraOff).toBe(false);
  p.producerPaused('cam', true);
  expect(p.cameraOff).toBe(true);
  p.producerPaused('cam', false);
  expect(p.cameraOff).toBe(false);
});

it('a consumer answered before a pause does not turn the camera back on', () => {
  const p = new Participant({ id: 'p', name: 'P', role: 'participant', producers: [{ id: 'cam', kind: 'video', source: 'camera', paused: false }], handRaisedAt: null, mutedByChair: false, canShareScreen: true, channel: 'browser' as const });
  // The pause notice overtook the consume answer, which still says "not paused".
  p.producerPaused('cam', true);
  p.adoptProducer('cam', 'camera', false);
  expect(p.cameraOff).toBe(true);
  // A producer nobody announced yet (e.g. after a resume) takes the answer's state.
  p.adoptProducer('cam2', 'camera', false);
  expect(p.cameraOff).toBe(false);
  expect(p.cameraProducerId).toBe('cam2');
});
