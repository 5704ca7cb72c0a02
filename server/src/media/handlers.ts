// Media signaling: transports, producers, consumers, tiles, receive caps and stills.
// Lookups are scoped to the calling peer (Peer.transport/producer/consumer), so a peer can
// only act on its own objects.
import type { types } from 'mediasoup';
import { ErrorCode } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import type { Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';
import { actorOf, allow } from '../meeting/authorize.js';
import { can } from '../meeting/policy.js';
import { INITIAL_ESTIMATE_BPS } from '../allocation/RoomAllocator.js';
import { clearStill, consume, produce, setupConsumer } from './produce.js';

const MAX_TRANSPORTS = 4;
const STILL_INTERVAL_MS = 1500;
/** A receiver's keyframe requests per consumer: at most one this often. */
export const KEYFRAME_REQUEST_MS = 1000;

type MediaMethod = 'createTransport' | 'connectTransport' | 'restartIce' | 'produce' | 'closeProducer' | 'setVideoHeight' | 'setProducerPaused' | 'consume'
  | 'resumeConsumer' | 'requestKeyFrame' | 'closeConsumer' | 'updateTiles' | 'setReceiveBitrate' | 'stillImage';

export const mediaHandlers: Handlers<MediaMethod> = {
  async createTransport(ctx, { direction }) {
    const { room: r, peer } = joined(ctx);
    if (peer.transports.size >= MAX_TRANSPORTS) throw new AppError(ErrorCode.InvalidState, `at most ${MAX_TRANSPORTS} transports per peer`);
    const { router, worker } = await r.media();
    const transport = await router.createWebRtcTransport({
      webRtcServer: worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_ESTIMATE_BPS,
      appData: { peerId: peer.id, direction },
    });
    if (peer.closed) { transport.close(); throw new AppError(ErrorCode.NotJoined, 'left while creating the transport'); }
    if (direction === 'recv') {
      // Downlink estimate changes drive layer allocation (plus a 1 s stats poll).
      await transport.enableTraceEvent(['bwe']);
      transport.on('trace', (trace) => {
        const bps = (trace.info as { availableBitrate?: number }).availableBitrate;
        if (trace.type === 'bwe' && typeof bps === 'number') r.allocator.setEstimate(peer, bps);
      });
      await r.allocator.recvTransportCreated(peer, transport).catch(() => undefined);
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
    if (data.source === 'screen') allow(r, peer, 'shareScreen');
    // Muted by the chair (and only the chair unmutes): the microphone starts paused.
    if (data.source === 'mic' && !data.paused && !can(actorOf(r, peer), 'unmuteSelf', null, r.meeting.settings).ok) data = { ...data, paused: true };
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

  setVideoHeight(ctx, { producerId, height }) {
    const { room: r, peer } = joined(ctx);
    const producer = peer.producer(producerId);
    if (producer.kind !== 'video') throw new AppError(ErrorCode.BadRequest, 'producerId: not a video producer');
    producer.appData.videoHeight = height;
    r.allocator.setProducerHeight(producer, height);
    return {};
  },

  async setProducerPaused(ctx, { producerId, paused, reason }) {
    const { room: r, peer } = joined(ctx);
    const producer = peer.producer(producerId);
    if (!paused && producer.appData.source === 'mic') {
      allow(r, peer, 'unmuteSelf');
      if (peer.mutedByChair) { peer.mutedByChair = false; r.saveAttendance(peer); }
    }
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

  async requestKeyFrame(ctx, { consumerId }) {
    const { peer } = joined(ctx);
    const consumer = peer.consumer(consumerId);
    if (consumer.kind !== 'video') throw new AppError(ErrorCode.InvalidState, 'consumerId: not a video consumer');
    // Each request makes the sender encode a keyframe for everyone watching that layer.
    const now = Date.now();
    if (now - (consumer.appData.keyframeRequestedAt ?? 0) < KEYFRAME_REQUEST_MS) return { requested: false };
    consumer.appData.keyframeRequestedAt = now;
    await consumer.requestKeyFrame();
    return { requested: true };
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
    if (now - peer.lastStillAt < STILL_INTERVAL_MS) throw new AppError(ErrorCode.RateLimited, `stillImage: at most one per ${STILL_INTERVAL_MS} ms`);
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

};
