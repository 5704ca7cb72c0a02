// What the server's metrics show of a subscriber's allocation: its budget, what the budget
// was decided from, and each video consumer's decision beside what mediasoup forwards.
import type { Layer as WireLayer, PausedReason } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { toLayer, wire } from './apply.js';
import type { RecvCap } from './recvCap.js';
import type { SubscriberAllocator } from './SubscriberAllocator.js';
import type { EstimateTrace, TrackAllocation } from './types.js';

export interface SubscriberSnapshot {
  peerId: string; budgetBps: number; linkBps: number; capBps: number | null; estimate: EstimateTrace;
  consumers: { consumerId: string; target: WireLayer | null; current: WireLayer | null; max: WireLayer | null; reason: PausedReason; rank: number }[];
}

export function snapshotOf(peer: Peer, allocator: SubscriberAllocator, cap: RecvCap, decisions: ReadonlyMap<string, TrackAllocation>, now = Date.now()): SubscriberSnapshot {
  return {
    peerId: peer.id,
    budgetBps: Math.round(allocator.videoBudget),
    linkBps: Math.round(allocator.linkBudget),
    capBps: cap.bps,
    estimate: allocator.trace(now),
    consumers: [...decisions.values()].map((d) => ({
      consumerId: d.id, target: wire(d.target), max: wire(d.max), reason: d.pausedReason, rank: d.rank,
      current: wire(toLayer(peer.consumers.get(d.id)?.currentLayers)),
    })),
  };
}
