// What each video producer's layers really cost: measured from mediasoup's stats once the
// producer sends something (until then the allocator's defaults apply), and forgotten when
// the producer closes.
import type { types } from 'mediasoup';
import type { PacketCounts } from './layerStats.js';
import { measureProducer } from './measure.js';

export class ProducerRates {
  readonly #matrices = new Map<string, number[][]>();
  /** Producers that have been measured sending something. */
  readonly #measured = new Set<string>();
  /** Each producer's recent packet counts per simulcast stream (see withStoppedLayers). */
  readonly #packets = new Map<string, PacketCounts[]>();

  addProducer(producer: types.Producer): void {
    producer.observer.once('close', () => {
      this.#matrices.delete(producer.id);
      this.#measured.delete(producer.id);
      this.#packets.delete(producer.id);
    });
  }

  /** A producer's measured bitrate matrix, or undefined while it has sent nothing. */
  get(producerId: string): number[][] | undefined { return this.#matrices.get(producerId); }

  sizes(): { matrices: number; measured: number } { return { matrices: this.#matrices.size, measured: this.#measured.size }; }

  async measure(producer: types.Producer, stopped: () => boolean): Promise<void> {
    const { matrix: measured, history } = await measureProducer(producer, this.#packets.get(producer.id) ?? []);
    // It may have closed while its stats were on the way: its close handler has already
    // run, so recording it now would leak an entry for a gone producer.
    if (producer.closed || stopped()) return;
    this.#packets.set(producer.id, history);
    // A new producer reports zeros until its first packets: stay optimistic until then.
    if (measured.some((row) => row.some((bps) => bps > 0))) this.#measured.add(producer.id);
    if (this.#measured.has(producer.id)) this.#matrices.set(producer.id, measured);
  }

  clear(): void {
    this.#matrices.clear();
    this.#measured.clear();
    this.#packets.clear();
  }
}
