// Media protocol: transports, producers and consumers (mediasoup objects checked
// structurally here; mediasoup validates their semantics), tiles, receive caps and stills.
import * as v from 'valibot';
import { Dict, Id, MediaSource, request, ShortString, SmallInt } from './common.js';

// mediasoup's own RTP objects are checked structurally here (sizes, field types);
// mediasoup validates semantics and its TypeErrors are answered as `bad_request`.
const Codec = v.looseObject({
  mimeType: v.pipe(v.string(), v.maxLength(64)),
  payloadType: v.optional(SmallInt),
  preferredPayloadType: v.optional(SmallInt),
  clockRate: SmallInt,
  channels: v.optional(SmallInt),
  parameters: v.optional(Dict),
  rtcpFeedback: v.optional(v.pipe(v.array(v.looseObject({ type: ShortString, parameter: v.optional(ShortString) })), v.maxLength(32))),
});
const HeaderExtension = v.looseObject({ uri: ShortString, id: v.optional(SmallInt), preferredId: v.optional(SmallInt) });
export const RtpCapabilitiesSchema = v.looseObject({
  codecs: v.optional(v.pipe(v.array(Codec), v.maxLength(64))),
  headerExtensions: v.optional(v.pipe(v.array(HeaderExtension), v.maxLength(64))),
});
export type RtpCapabilitiesWire = v.InferOutput<typeof RtpCapabilitiesSchema>;
export const RtpParametersSchema = v.looseObject({
  mid: v.optional(ShortString),
  codecs: v.pipe(v.array(Codec), v.minLength(1), v.maxLength(16)),
  headerExtensions: v.optional(v.pipe(v.array(HeaderExtension), v.maxLength(32))),
  encodings: v.optional(v.pipe(v.array(v.looseObject({ ssrc: v.optional(SmallInt), rid: v.optional(ShortString) })), v.maxLength(8))),
  rtcp: v.optional(v.looseObject({ cname: v.optional(ShortString), reducedSize: v.optional(v.boolean()) })),
});
export type RtpParametersWire = v.InferOutput<typeof RtpParametersSchema>;
const DtlsParameters = v.looseObject({
  role: v.optional(v.picklist(['auto', 'client', 'server'])),
  fingerprints: v.pipe(
    v.array(v.object({ algorithm: v.pipe(v.string(), v.maxLength(16)), value: v.pipe(v.string(), v.maxLength(256)) })),
    v.minLength(1),
    v.maxLength(8),
  ),
});
export type DtlsParametersWire = v.InferOutput<typeof DtlsParameters>;

export const mediaRequests = [
  request('createTransport', v.strictObject({ direction: v.picklist(['send', 'recv']) })),
  request('connectTransport', v.strictObject({ transportId: Id, dtlsParameters: DtlsParameters })),
  request('restartIce', v.strictObject({ transportId: Id })),
  request('produce', v.strictObject({
    transportId: Id,
    kind: v.picklist(['audio', 'video']),
    source: MediaSource,
    rtpParameters: RtpParametersSchema,
    paused: v.optional(v.boolean()),
    /** Capture height of a video source, so the SFU knows each layer's size. */
    videoHeight: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4320))),
  })),
  request('closeProducer', v.strictObject({ producerId: Id })),
  /** The sender rescaled its camera (ladder rung): the frame height its top layer now has. */
  request('setVideoHeight', v.strictObject({ producerId: Id, height: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4320)) })),
  /** `reason`: the user switched it (default), or the sender's ladder paused video for stills. */
  request('setProducerPaused', v.strictObject({ producerId: Id, paused: v.boolean(), reason: v.optional(v.picklist(['user', 'ladder'])) })),
  request('consume', v.strictObject({ transportId: Id, producerId: Id })),
  request('resumeConsumer', v.strictObject({ consumerId: Id })),
  /** Our decoder is stuck while packets arrive (a loss NACK did not repair): ask the sender for a keyframe. */
  request('requestKeyFrame', v.strictObject({ consumerId: Id })),
  request('closeConsumer', v.strictObject({ consumerId: Id })),
  /** Rendered size and visibility of the tiles showing our video consumers (debounced, on change). */
  request('updateTiles', v.strictObject({
    tiles: v.pipe(v.array(v.strictObject({
      consumerId: Id,
      /** Device pixels (CSS height x devicePixelRatio). */
      height: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8192)),
      visible: v.boolean(),
      pinned: v.boolean(),
    })), v.maxLength(100)),
  })),
  /** "Save data" or an operator limit on what we receive; null lifts it. */
  request('setReceiveBitrate', v.strictObject({
    maxBps: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(30_000), v.maxValue(100_000_000))),
  })),
  /** Still-image rung: one small picture (base64, <= 16 KB) for others to show. */
  request('stillImage', v.strictObject({
    mime: v.picklist(['image/webp', 'image/jpeg']),
    data: v.pipe(v.string(), v.maxLength(22_000), v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')),
  })),
] as const;

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface MediaResponses {
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: unknown };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  setVideoHeight: Record<string, never>;
  setProducerPaused: Record<string, never>;
  consume: {
    consumerId: string;
    producerId: string;
    peerId: string;
    kind: 'audio' | 'video';
    source: MediaSource;
    rtpParameters: unknown;
    producerPaused: boolean;
  };
  resumeConsumer: Record<string, never>;
  /** false: asked too soon after the last time (at most one per KEYFRAME_REQUEST_MS per consumer). */
  requestKeyFrame: { requested: boolean };
  closeConsumer: Record<string, never>;
  updateTiles: Record<string, never>;
  setReceiveBitrate: Record<string, never>;
  stillImage: Record<string, never>;
}

/** Why a video is not forwarded: sender paused it, link too weak, tile hidden, beyond Last-N. */
export type PausedReason = 'producer' | 'bandwidth' | 'hidden' | 'lastN' | null;
export interface Layer { spatial: number; temporal: number }

export interface MediaNotifications {
  newProducer: { peerId: string; producer: import('./common.js').ProducerInfo };
  producerClosed: { peerId: string; producerId: string };
  producerPaused: { peerId: string; producerId: string; paused: boolean };
  consumerClosed: { consumerId: string };
  consumerState: { consumerId: string; paused: boolean; reason: PausedReason };
  /** Allocation details for the debug overlay: what we forward, could forward, and why. */
  consumerLayers: {
    consumerId: string; target: Layer | null; max: Layer | null; current: Layer | null;
    reason: PausedReason; budgetBps: number; rank: number;
  };
  /** Dynacast: nobody needs layers above this one (null: nobody watches at all). */
  producerLayers: { producerId: string; maxSpatialLayer: number | null };
  activeSpeaker: { peerId: string | null };
  /** 0 (unusable) .. 10 (perfect), from mediasoup RTP scores of the peer's producers. */
  peerQuality: { peerId: string; score: number };
  /** A participant below the lowest video rung sends a picture every few seconds. */
  stillImage: { peerId: string; mime: 'image/webp' | 'image/jpeg'; data: string };
  /** The participant turned the camera off: drop its still image. */
  stillCleared: { peerId: string };
  /** The media worker behind the room was replaced: recreate transports and producers. */
  mediaReset: { reason: string };
}

/** No simulcast layer is sent smaller than this (a 40x22 picture shows nobody). */
export const MIN_LAYER_HEIGHT = 90;

export interface SimulcastLayer { scale: number; height: number }

/**
 * The simulcast layers of a camera whose sent picture is `height` pixels tall, from the
 * encodings' nominal down-scaling (e.g. 4, 2, 1). Shared by the sender (which sets
 * scaleResolutionDownBy) and the SFU (which picks layers by height).
 * Goals: when the sender's ladder already scaled the picture down, the encodings must not
 * divide it again below MIN_LAYER_HEIGHT. Layers may then coincide in size; the SFU wants
 * only the lowest of equal ones, so dynacast switches the others off (no layer vanishes
 * under a receiver that is being sent it).
 */
export function simulcastLayers(height: number, nominalScales: readonly number[]): SimulcastLayer[] {
  const limit = Math.max(1, height / MIN_LAYER_HEIGHT);
  return nominalScales.map((nominal) => {
    const scale = Math.max(1, Math.min(nominal, limit));
    return { scale, height: Math.round(height / scale) };
  });
}
