// Producing and consuming: the parts of signaling that touch mediasoup objects and
// announce their life cycle to the room.
import type { types } from 'mediasoup';
import { ErrorCode, type RequestData, type ResponseData } from '../../../protocol/index.js';
import type { ConsumerAppData, Peer, ProducerAppData } from '../domain/Peer.js';
import { producerInfo } from '../domain/Peer.js';
import type { AppRoom as Room } from '../signaling/context.js';
import { AppError } from '../errors.js';

const MAX_CONSUMERS = 100;
const SOURCE_KIND = { mic: 'audio', camera: 'video', screen: 'video' } as const;

function direction(transport: types.Transport): unknown {
  return (transport.appData as { direction?: unknown }).direction;
}

/** `transport`: a transport the server made for the peer itself (the phone gateway's plain transports). */
export async function produce(room: Room, peer: Peer, data: RequestData<'produce'>, own?: types.Transport): Promise<ResponseData['produce']> {
  if (SOURCE_KIND[data.source] !== data.kind) throw new AppError(ErrorCode.BadRequest, `kind: source "${data.source}" must be ${SOURCE_KIND[data.source]}`);
  const transport: types.Transport = own ?? peer.transport(data.transportId);
  if (direction(transport) !== 'send') throw new AppError(ErrorCode.InvalidState, 'transportId: not a send transport');
  if ([...peer.producers.values()].some((p) => p.appData.source === data.source)) {
    throw new AppError(ErrorCode.InvalidState, `source: you already send "${data.source}"; close it first`);
  }
  let producer: types.Producer<ProducerAppData>;
  try {
    producer = await transport.produce<ProducerAppData>({
      kind: data.kind,
      rtpParameters: data.rtpParameters as types.RtpParameters,
      paused: data.paused ?? false,
      appData: { peerId: peer.id, source: data.source, ...(data.videoHeight ? { videoHeight: data.videoHeight } : {}) },
    });
  } catch (error) {
    throw asBadRequest(error, 'rtpParameters');
  }
  if (peer.closed) { producer.close(); throw new AppError(ErrorCode.NotJoined, 'left while producing'); }
  peer.addProducer(producer);
  if (producer.kind === 'video') room.allocator.addProducer(producer);
  const { speaker } = await room.media();
  if (producer.kind === 'audio') await speaker.addProducer({ producerId: producer.id }).catch(() => undefined);
  producer.on('score', (scores) => room.quality.update(peer.id, producer.id, scores.map((s) => s.score)));
  room.broadcast({ notification: 'newProducer', data: { peerId: peer.id, producer: producerInfo(producer) } }, peer.id);
  return { producerId: producer.id };
}

export async function consume(room: Room, peer: Peer, transportId: string, producerId: string, own?: types.Transport): Promise<{ consumer: types.Consumer<ConsumerAppData>; producer: types.Producer<ProducerAppData> }> {
  const transport: types.Transport = own ?? peer.transport(transportId);
  if (direction(transport) !== 'recv') throw new AppError(ErrorCode.InvalidState, 'transportId: not a receive transport');
  if (peer.consumers.size >= MAX_CONSUMERS) throw new AppError(ErrorCode.InvalidState, `at most ${MAX_CONSUMERS} consumers per peer`);
  const owner = [...room.peers.values()].find((p) => p.producers.has(producerId));
  if (!owner) throw new AppError(ErrorCode.NotFound, `producerId: no producer ${producerId} in this room`);
  if (owner === peer) throw new AppError(ErrorCode.InvalidState, 'producerId: cannot consume your own producer');
  const producer = owner.producer(producerId);
  const { router } = await room.media();
  if (!router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
    throw new AppError(ErrorCode.InvalidState, 'rtpCapabilities: your device cannot receive this producer');
  }
  const consumer = await transport.consume<ConsumerAppData>({
    producerId,
    rtpCapabilities: peer.rtpCapabilities,
    // Paused until the client has set up its side, so no keyframe is lost.
    paused: true,
    // Lost packets are sent again when the receiver asks (NACK), audio too: mediasoup
    // leaves that out of audio consumers by default, and then every packet a lossy
    // downlink drops is concealed (4.1-4.7 % of the audio on the lossy-burst bench link).
    // Chrome asks only for packets that can still arrive before they are due to play.
    enableRtx: true,
    appData: { peerId: peer.id, producerPeerId: owner.id, source: producer.appData.source },
  });
  if (peer.closed) { consumer.close(); throw new AppError(ErrorCode.NotJoined, 'left while consuming'); }
  return { consumer, producer };
}

export function setupConsumer(room: Room, peer: Peer, consumer: types.Consumer<ConsumerAppData>, producer: types.Producer<ProducerAppData>): void {
  peer.addConsumer(consumer);
  consumer.on('producerclose', () => peer.notify({ notification: 'consumerClosed', data: { consumerId: consumer.id } }));
  room.allocator.addConsumer(peer, consumer, producer);
  // Video pause states come from the allocator; audio only follows its producer.
  if (consumer.kind !== 'audio') return;
  const state = () => peer.notify({
    notification: 'consumerState',
    data: { consumerId: consumer.id, paused: consumer.producerPaused, reason: consumer.producerPaused ? 'producer' : null },
  });
  consumer.on('producerpause', state);
  consumer.on('producerresume', state);
}

/** Receivers drop the still picture of `peer` (camera off, or camera gone). */
export function clearStill(room: Room, peer: Peer): void {
  if (!peer.stillShown) return;
  peer.stillShown = false;
  room.broadcast({ notification: 'stillCleared', data: { peerId: peer.id } }, peer.id);
}

function asBadRequest(error: unknown, field: string): Error {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError')) {
    return new AppError(ErrorCode.BadRequest, `${field}: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
