// Dynacast: tells each sender the highest spatial layer anyone's visible, forwarded tile
// wants, so the sender's encoder does not spend uplink and CPU on layers nobody receives.
// Sent only when a producer's answer changes.
import type { types } from 'mediasoup';
import type { Peer } from '../domain/Peer.js';
import { layerCounts } from './layerStats.js';
import { dynacastWants } from './layers.js';
import type { TrackAllocation, TrackInput } from './types.js';

/** What dynacast needs to know of one subscriber. */
export interface DynacastView {
  consumers: Iterable<types.Consumer>;
  decision(consumerId: string): TrackAllocation | undefined;
  track(consumerId: string): TrackInput | undefined;
}

/** Highest spatial layer any visible, forwarded tile wants, per video producer (null: none). */
export function wantedLayers(subscribers: Iterable<DynacastView>): Map<string, number | null> {
  const wanted = new Map<string, number | null>();
  for (const sub of subscribers) {
    for (const consumer of sub.consumers) {
      if (consumer.kind !== 'video') continue;
      const d = sub.decision(consumer.id);
      const track = sub.track(consumer.id);
      const current = wanted.get(consumer.producerId) ?? null;
      const wants = d && track ? dynacastWants(track, d.pausedReason, consumer.producerPaused) : null;
      wanted.set(consumer.producerId, wants === null ? current : Math.max(current ?? -1, wants));
    }
  }
  return wanted;
}

export class Dynacast {
  /** What each producer's sender was last told. */
  readonly #told = new Map<string, number | null>();

  get size(): number { return this.#told.size; }

  forget(producerId: string): void { this.#told.delete(producerId); }

  clear(): void { this.#told.clear(); }

  update(subscribers: Iterable<DynacastView>, senders: Iterable<Peer>): void {
    const wanted = wantedLayers(subscribers);
    for (const peer of senders) {
      for (const producer of peer.producers.values()) {
        if (producer.kind !== 'video') continue;
        const max = wanted.get(producer.id) ?? null;
        if (this.#told.get(producer.id) === max) continue;
        this.#told.set(producer.id, max);
        const { spatial } = layerCounts(producer.rtpParameters.encodings ?? []);
        if (spatial > 1 || max === null) peer.notify({ notification: 'producerLayers', data: { producerId: producer.id, maxSpatialLayer: max } });
      }
    }
  }
}
