// One dispatch for all signaling methods. Every handler receives parsed, schema-valid
// data; lookups are scoped to the calling peer (Peer.transport/producer/consumer), so a
// peer can only act on its own objects. Anything thrown that is not a SignalingError is
// answered as `internal` by the caller and never reaches other peers.
import type { types } from 'mediasoup';
import { ErrorCode, type Method, type RequestData, type ResponseData } from '../../../protocol/messages.js';
import type { Peer, PeerLink } from '../domain/Peer.js';
import type { Room } from '../domain/Room.js';
import type { RoomRegistry } from '../domain/RoomRegistry.js';
import { matchesHash } from '../domain/secrets.js';
import { SignalingError } from './errors.js';
import { clearStill, consume, produce, setupConsumer } from './media.js';

export interface Session {
  room: Room | null;
  peer: Peer | null;
  readonly link: PeerLink;
}

export interface HandlerContext {
  registry: RoomRegistry;
  session: Session;
  graceMs: number;
  videoCodec: 'vp8' | 'vp9';
  /** Called once the socket's peer has joined (the join timeout stops). */
  onJoined?: () => void;
}

type Handler<M extends Method> = (ctx: HandlerContext, data: RequestData<M>) => Promise<ResponseData[M]> | ResponseData[M];

const MAX_TRANSPORTS = 4;
const STILL_INTERVAL_MS = 1500;

function joined(ctx: HandlerContext): { room: Room; peer: Peer } {
  const { room, peer } = ctx.session;
  if (!room || !peer || peer.closed) throw new SignalingError(ErrorCode.NotJoined, 'join a room first');
  return { room, peer };
}

function room(ctx: HandlerContext, roomId: string): Room {
  const r = ctx.registry.get(roomId);
  if (!r) throw new SignalingError(ErrorCode.RoomNotFound, `roomId: no room ${roomId}`);
  return r;
}

export const handlers: { [M in Method]: Handler<M> } = {
  async routerCapabilities(ctx, { roomId }) {
    room(ctx, roomId);
    return { rtpCapabilities: await ctx.registry.rtpCapabilities() };
  },

  async join(ctx, data) {
    if (ctx.session.peer && !ctx.session.peer.closed) throw new SignalingError(ErrorCode.AlreadyJoined, 'this connection already joined a room');
    const r = room(ctx, data.roomId);
    if (data.moderatorKey !== undefined && !matchesHash(data.moderatorKey, r.record.moderatorKeyHash)) {
      throw new SignalingError(ErrorCode.Forbidden, 'moderatorKey: wrong key for this room');
    }
    await r.media();
    const { peer, resumed } = r.join({
      name: data.name,
      role: data.moderatorKey ? 'moderator' : 'participant',
      rtpCapabilities: data.rtpCapabilities as types.RtpCapabilities,
      resumeToken: data.resumeToken,
      link: ctx.session.link,
    });
    ctx.session.room = r;
    ctx.session.peer = peer;
    ctx.onJoined?.();
    const mediaReset = resumed && peer.mediaLost;
    peer.mediaLost = false;
    const peers = [...r.peers.values()].filter((p) => p.id !== peer.id).map((p) => p.info());
    return { peerId: peer.id, role: peer.role, resumeToken: peer.resumeToken, resumed, peers, graceMs: ctx.graceMs, videoCodec: ctx.videoCodec, mediaReset };
  },

  leave(ctx) {
    const { peer } = joined(ctx);
    ctx.session.peer = null;
    ctx.session.room = null;
    peer.close();
    return {};
  },

  async createTransport(ctx, { direction }) {
    const { room: r, peer } = joined(ctx);
    if (peer.transports.size >= MAX_TRANSPORTS) throw new SignalingError(ErrorCode.InvalidState, `at most ${MAX_TRANSPORTS} transports per peer`);
    const { router, worker } = await r.media();
    const transport = await router.createWebRtcTransport({
      webRtcServer: worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 600_000,
      appData: { peerId: peer.id, direction },
    });
    if (peer.closed) { transport.close(); throw new SignalingError(ErrorCode.NotJoined, 'left while creating the transport'); }
    if (direction === 'recv') {
      // Downlink estimate changes drive layer allocation (plus a 1 s stats poll).
      await transport.enableTraceEvent(['bwe']);
      transport.on('trace', (trace) => {
        const bps = (trace.info as { availableBitrate?: number }).availableBitrate;
        if (trace.type === 'bwe' && typeof bps === 'number') r.allocator.setEstimate(peer, bps);
      });
    }
    peer.addTransport(transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  },

  async connectTransport(ctx, { transportId, dtlsParameters }) {
    const { peer } = joined(ctx);
    await peer.transport(transportId).connect({ dtlsParameters: dtlsParameters as types.DtlsParameters });
    return {};
  },

  async restartIce(ctx, { transportId }) {
    const { peer } = joined(ctx);
    return { iceParameters: await peer.transport(transportId).restartIce() };
  },

  produce(ctx, data) {
    const { room: r, peer } = joined(ctx);
    return produce(r, peer, data);
  },

  closeProducer(ctx, { producerId }) {
    const { room: r, peer } = joined(ctx);
    const producer = peer.producer(producerId);
    producer.close();
    if (producer.appData.source === 'camera') clearStill(r, peer);
    r.quality.removeProducer(peer.id, producerId);
    r.broadcast({ notification: 'producerClosed', data: { peerId: peer.id, producerId } }, peer.id);
    return {};
  },

  async setProducerPaused(ctx, { producerId, paused, reason }) {
    const { room: r, peer } = joined(ctx);
    const producer = peer.producer(producerId);
    if (paused) await producer.pause(); else await producer.resume();
    // Camera off means off: nobody keeps looking at the last still picture.
    if (paused && producer.appData.source === 'camera' && reason !== 'ladder') clearStill(r, peer);
    r.broadcast({ notification: 'producerPaused', data: { peerId: peer.id, producerId, paused } }, peer.id);
    return {};
  },

  async consume(ctx, { transportId, producerId }) {
    const { room: r, peer } = joined(ctx);
    const { consumer, producer } = await consume(r, peer, transportId, producerId);
    setupConsumer(r, peer, consumer, producer);
    return {
      consumerId: consumer.id,
      producerId,
      peerId: consumer.appData.producerPeerId,
      kind: consumer.kind,
      source: consumer.appData.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    };
  },

  async resumeConsumer(ctx, { consumerId }) {
    const { room: r, peer } = joined(ctx);
    await r.allocator.clientReady(peer, peer.consumer(consumerId));
    return {};
  },

  closeConsumer(ctx, { consumerId }) {
    const { peer } = joined(ctx);
    peer.consumer(consumerId).close();
    return {};
  },

  updateTiles(ctx, { tiles }) {
    const { room: r, peer } = joined(ctx);
    for (const t of tiles) peer.consumer(t.consumerId);
    r.allocator.setTiles(peer, tiles);
    return {};
  },

  async setReceiveBitrate(ctx, { maxBps }) {
    const { room: r, peer } = joined(ctx);
    await r.allocator.setReceiveCap(peer, maxBps);
    return {};
  },

  stillImage(ctx, { mime, data }) {
    const { room: r, peer } = joined(ctx);
    // Stills replace video on ~10 kbit/s links: one every few seconds is the point.
    const now = Date.now();
    if (now - peer.lastStillAt < STILL_INTERVAL_MS) throw new SignalingError(ErrorCode.RateLimited, `stillImage: at most one per ${STILL_INTERVAL_MS} ms`);
    peer.lastStillAt = now;
    peer.stillShown = true;
    // Each receiver gets it only if its downlink has room for it next to the video it gets.
    const bytes = Math.floor((data.length * 3) / 4);
    for (const other of r.peers.values()) {
      if (other.id === peer.id || !r.allocator.allowStill(other, bytes, now)) continue;
      other.notify({ notification: 'stillImage', data: { peerId: peer.id, mime, data } });
    }
    return {};
  },

  ping() {
    return { now: Date.now() };
  },
};
