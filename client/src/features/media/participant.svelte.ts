// Reactive view of one remote participant, fed by signaling notifications and consumers.
import type { PausedReason, PeerInfo, Role } from '../../../../protocol/index.js';

export class Participant {
  readonly id: string;
  name = $state('');
  role = $state<Role>('participant');
  /** A browser, or a telephone caller (dial-in). */
  channel = $state<'browser' | 'phone'>('browser');
  handRaisedAt = $state<number | null>(null);
  mutedByChair = $state(false);
  canShareScreen = $state(true);
  audioTrack = $state.raw<MediaStreamTrack | null>(null);
  videoTrack = $state.raw<MediaStreamTrack | null>(null);
  screenTrack = $state.raw<MediaStreamTrack | null>(null);
  cameraConsumerId = $state<string | null>(null);
  screenConsumerId = $state<string | null>(null);
  screenProducerId = $state<string | null>(null);
  screenPausedReason = $state<PausedReason>(null);
  pinned = $state(false);
  /** Latest still picture (image mode) as a data URL, and when it came. */
  still = $state<string | null>(null);
  stillAt = $state(0);
  /** Producer ids per source, to map pause notifications onto the right flag. */
  micProducerId = $state<string | null>(null);
  cameraProducerId = $state<string | null>(null);
  micMuted = $state(true);
  cameraOff = $state(true);
  videoPausedReason = $state<PausedReason>(null);
  /** 0..10 from the server (the peer's uplink); 10 until known. */
  quality = $state(10);

  constructor(info: PeerInfo) {
    this.id = info.id;
    this.update(info);
    for (const p of info.producers) this.setProducer(p.id, p.source, p.paused);
  }

  /** Role, name, hand and rights from the server (join snapshot or peerUpdated). */
  update(info: PeerInfo): void {
    this.name = info.name;
    this.role = info.role;
    this.channel = info.channel ?? 'browser';
    this.handRaisedAt = info.handRaisedAt;
    this.mutedByChair = info.mutedByChair;
    this.canShareScreen = info.canShareScreen;
  }

  setProducer(producerId: string, source: string, paused: boolean): void {
    if (source === 'mic') { this.micProducerId = producerId; this.micMuted = paused; }
    if (source === 'camera') { this.cameraProducerId = producerId; this.cameraOff = paused; }
    if (source === 'screen') this.screenProducerId = producerId;
  }

  /**
   * A consumer's answer names its producer's pause state as it was when the SFU created
   * the consumer. Notifications that came while the consumer was being set up are newer
   * (a "camera off" was lost that way, and the tile kept showing video), so the answer
   * counts only for a producer no notification has told us about yet.
   */
  adoptProducer(producerId: string, source: string, paused: boolean): void {
    const known = source === 'mic' ? this.micProducerId : source === 'camera' ? this.cameraProducerId : this.screenProducerId;
    if (known !== producerId) this.setProducer(producerId, source, paused);
  }

  producerGone(producerId: string): void {
    if (this.micProducerId === producerId) { this.micProducerId = null; this.micMuted = true; this.audioTrack = null; }
    if (this.cameraProducerId === producerId) { this.cameraProducerId = null; this.cameraOff = true; this.videoTrack = null; this.cameraConsumerId = null; }
    if (this.screenProducerId === producerId) { this.screenProducerId = null; this.screenTrack = null; this.screenConsumerId = null; }
  }

  producerPaused(producerId: string, paused: boolean): void {
    if (this.micProducerId === producerId) this.micMuted = paused;
    if (this.cameraProducerId === producerId) this.cameraOff = paused;
  }
}
