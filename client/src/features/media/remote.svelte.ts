// What we receive: consumers for everyone's producers, their tracks on the participants,
// the SFU's pause reasons and layers, still pictures, and dynacast hints for our sender.
import type { Notification, Notifications } from '../../../../protocol/index.js';
import { mark } from '../../lib/marks.js';
import { RequestError } from '../../lib/signaling.js';
import type { MediaSession, RemoteTrack } from './MediaSession.js';
import type { Participant } from './participant.svelte.js';
import type { Sender } from './sender.svelte.js';

export interface Roster { find(peerId: string): Participant | undefined }

export class RemoteMedia {
  /** Per consumer: what the SFU forwards and why (debug overlay). */
  layers = $state.raw<Record<string, Notifications['consumerLayers']>>({});
  readonly #media: MediaSession;
  readonly #roster: Roster;

  constructor(media: MediaSession, roster: Roster) {
    this.#media = media;
    this.#roster = roster;
    media.on('track', (t) => this.#onTrack(t));
    media.on('trackended', (t) => this.#onTrackEnded(t));
  }

  async consume(producerId: string): Promise<void> {
    try {
      await this.#media.consume(producerId);
    } catch (e) {
      // The producer may have closed meanwhile; anything else is worth a console line.
      if (!(e instanceof RequestError && (e.code === 'not_found' || e.code === 'disconnected'))) console.warn('consume failed', e);
    }
  }

  #onTrack(t: RemoteTrack): void {
    mark(`track-${t.source}`);
    const p = this.#roster.find(t.peerId);
    if (!p) return;
    p.adoptProducer(t.producerId, t.source, t.producerPaused);
    if (t.source === 'mic') p.audioTrack = t.track;
    else if (t.source === 'camera') { p.videoTrack = t.track; p.cameraConsumerId = t.consumerId; }
    else { p.screenTrack = t.track; p.screenConsumerId = t.consumerId; }
  }

  #onTrackEnded(t: RemoteTrack): void {
    const p = this.#roster.find(t.peerId);
    if (p && t.source === 'mic' && p.audioTrack === t.track) p.audioTrack = null;
    if (p && t.source === 'camera' && p.videoTrack === t.track) { p.videoTrack = null; p.cameraConsumerId = null; }
    if (p && t.source === 'screen' && p.screenTrack === t.track) { p.screenTrack = null; p.screenConsumerId = null; }
    if (t.consumerId in this.layers) { const { [t.consumerId]: _, ...rest } = this.layers; this.layers = rest; }
  }

  /** Media notifications; returns false for ones that are not about media. */
  handle(n: Notification, sender: Sender | null): boolean {
    switch (n.notification) {
      case 'newProducer':
        this.#roster.find(n.data.peerId)?.setProducer(n.data.producer.id, n.data.producer.source, n.data.producer.paused);
        void this.consume(n.data.producer.id);
        return true;
      case 'producerClosed':
        this.#roster.find(n.data.peerId)?.producerGone(n.data.producerId);
        this.#media.dropConsumer({ producerId: n.data.producerId });
        return true;
      case 'consumerClosed':
        this.#media.dropConsumer({ consumerId: n.data.consumerId });
        return true;
      case 'producerPaused':
        this.#roster.find(n.data.peerId)?.producerPaused(n.data.producerId, n.data.paused);
        return true;
      case 'consumerState': {
        const remote = this.#media.remote(n.data.consumerId);
        const p = remote && this.#roster.find(remote.peerId);
        if (!p || remote.source === 'mic') return true;
        if (remote.source === 'screen') { p.screenPausedReason = n.data.paused ? n.data.reason : null; return true; }
        // "Camera off" comes only from the sender's pause (producerPaused); a consumer
        // paused by the SFU says why, but the camera is still on.
        p.videoPausedReason = n.data.paused ? n.data.reason : null;
        return true;
      }
      case 'consumerLayers':
        this.layers = { ...this.layers, [n.data.consumerId]: n.data };
        return true;
      case 'producerLayers':
        if (n.data.producerId === this.#media.producerId('camera')) sender?.setWatched(n.data.maxSpatialLayer);
        void this.#media.setMaxSpatialLayer(n.data.producerId, n.data.maxSpatialLayer).catch(() => undefined);
        return true;
      case 'stillImage': {
        const p = this.#roster.find(n.data.peerId);
        if (p) { p.still = `data:${n.data.mime};base64,${n.data.data}`; p.stillAt = Date.now(); }
        return true;
      }
      case 'stillCleared': {
        const p = this.#roster.find(n.data.peerId);
        if (p) p.still = null;
        return true;
      }
      default:
        return false;
    }
  }
}
