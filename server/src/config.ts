// Runtime configuration from environment variables. Defaults need no set-up: listen on
// localhost, keep data in ./data, one media worker per core.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { PhoneConfig } from './phone/Gateway.js';

export interface Config {
  host: string;
  port: number;
  /** Base URL printed in join links (defaults to http://host:port). */
  publicUrl: string;
  /** IP that ICE candidates announce; defaults to the listen IP of the WebRtcServer. */
  rtcListenIp: string;
  rtcAnnouncedIp: string | undefined;
  /** Worker i listens on rtcPortBase + i (UDP and TCP). 0 = ephemeral ports (tests). */
  rtcPortBase: number;
  numWorkers: number;
  dataDir: string;
  clientDir: string;
  /** How long a dropped peer may resume its session before others see it leave. */
  reconnectGraceMs: number;
  allowUwsFallback: boolean;
  rateLimit: { perSecond: number; burst: number };
  /** At most this many videos forwarded to each subscriber. */
  lastN: number;
  /** Camera codec: VP8 simulcast everywhere, or VP9 SVC (L3T3_KEY) where all support it. */
  videoCodec: 'vp8' | 'vp9';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Bearer token for GET /api/metrics; unset = metrics disabled. */
  metricsToken: string | undefined;
  limits: Limits;
  /** Client addresses come from X-Forwarded-For (set only behind a proxy you run). */
  trustProxy: boolean;
  /** Phone dial-in over SIP; null: off (set THINLINE_SIP_PORT to turn it on). */
  phone: PhoneConfig | null;
}

/** Everything a stranger can make the server hold is bounded by one of these. */
export interface Limits {
  /** Participants in one room (joined peers, including those in their reconnect grace). */
  participantsPerRoom: number;
  /** Open signaling sockets from one client address. */
  socketsPerIp: number;
  /** Open signaling sockets in total. */
  sockets: number;
  /** A socket that has not joined a room within this time is closed. */
  joinTimeoutMs: number;
  /** Rooms one client address may create per minute (POST /api/rooms). */
  roomsPerIpPerMinute: number;
  /** Rooms stored in total. */
  rooms: number;
  /** A room nobody joined for this many days is deleted. */
  roomIdleDays: number;
  /** Bytes queued for one socket before it is closed as too slow (its client resumes). */
  socketBackpressureBytes: number;
  /** An HTTP request (including its body) must arrive completely within this time. */
  requestTimeoutMs: number;
  /** Size of one archived recording (upload refused above it). */
  recordingMaxBytes: number;
  /** Archived recordings are deleted this many days after upload (GDPR retention). */
  recordingRetentionDays: number;
  /** Uploads in progress at once, in total (each holds a partial file). */
  recordingUploads: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TypeError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

export type ConfigOverrides = Partial<Omit<Config, 'limits'>> & { limits?: Partial<Limits> };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const host = env.THINLINE_HOST ?? '127.0.0.1';
  const port = int(env, 'THINLINE_PORT', 8080, 0, 65535);
  const level = env.THINLINE_LOG_LEVEL ?? 'info';
  if (env.THINLINE_VIDEO_CODEC && !['vp8', 'vp9'].includes(env.THINLINE_VIDEO_CODEC)) throw new TypeError(`THINLINE_VIDEO_CODEC must be vp8|vp9, got "${env.THINLINE_VIDEO_CODEC}"`);
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new TypeError(`THINLINE_LOG_LEVEL must be debug|info|warn|error, got "${level}"`);
  const config: Config = {
    host,
    port,
    publicUrl: env.THINLINE_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    rtcListenIp: env.THINLINE_RTC_LISTEN_IP ?? (host === '0.0.0.0' || host === '::' ? '0.0.0.0' : host),
    rtcAnnouncedIp: env.THINLINE_RTC_ANNOUNCED_IP || undefined,
    rtcPortBase: int(env, 'THINLINE_RTC_PORT', 40000, 0, 65000),
    numWorkers: int(env, 'THINLINE_WORKERS', availableParallelism(), 1, 64),
    dataDir: resolve(env.THINLINE_DATA_DIR ?? 'data'),
    clientDir: resolve(env.THINLINE_CLIENT_DIR ?? 'dist/client'),
    reconnectGraceMs: int(env, 'THINLINE_RECONNECT_GRACE_MS', 30_000, 0, 600_000),
    allowUwsFallback: env.THINLINE_ALLOW_UWS_FALLBACK === '1',
    rateLimit: { perSecond: int(env, 'THINLINE_RATE_PER_SEC', 10, 1, 10_000), burst: int(env, 'THINLINE_RATE_BURST', 30, 1, 10_000) },
    lastN: int(env, 'THINLINE_LAST_N', 16, 1, 100),
    videoCodec: env.THINLINE_VIDEO_CODEC === 'vp9' ? 'vp9' : 'vp8',
    logLevel: level as Config['logLevel'],
    metricsToken: env.THINLINE_METRICS_TOKEN || undefined,
    trustProxy: env.THINLINE_TRUST_PROXY === '1',
    phone: env.THINLINE_SIP_PORT === undefined || env.THINLINE_SIP_PORT === '' ? null : (() => {
      const sipHost = env.THINLINE_SIP_HOST ?? host;
      return {
        port: int(env, 'THINLINE_SIP_PORT', 5060, 0, 65535),
        host: sipHost,
        // The sip library treats requests to its own address as local: name ourselves
        // differently when we listen on loopback (tests, a PBX on the same machine).
        publicAddress: env.THINLINE_SIP_PUBLIC_ADDRESS ?? (sipHost === '127.0.0.1' ? 'localhost' : sipHost),
        mediaAddress: env.THINLINE_SIP_MEDIA_ADDRESS ?? (sipHost === '0.0.0.0' ? '127.0.0.1' : sipHost),
        number: env.THINLINE_PHONE_NUMBER || undefined,
        allowedSources: env.THINLINE_SIP_ALLOWED_SOURCES ? env.THINLINE_SIP_ALLOWED_SOURCES.split(',').map((s) => s.trim()).filter(Boolean) : null,
        maxCalls: int(env, 'THINLINE_SIP_MAX_CALLS', 50, 1, 10_000),
        tcp: env.THINLINE_SIP_TCP !== '0',
        ringMs: int(env, 'THINLINE_SIP_RING_MS', 0, 0, 30_000),
        trunk: env.THINLINE_SIP_REGISTRAR ? {
          registrar: env.THINLINE_SIP_REGISTRAR, user: env.THINLINE_SIP_USER ?? '', password: env.THINLINE_SIP_PASSWORD ?? '',
          domain: env.THINLINE_SIP_DOMAIN ?? env.THINLINE_SIP_REGISTRAR.replace(/^sips?:/, '').replace(/[:;].*$/, ''),
          expiresS: int(env, 'THINLINE_SIP_REGISTER_EXPIRES', 600, 60, 86_400),
        } : null,
      };
    })(),
    limits: {
      participantsPerRoom: int(env, 'THINLINE_MAX_PARTICIPANTS', 300, 1, 10_000),
      socketsPerIp: int(env, 'THINLINE_MAX_SOCKETS_PER_IP', 50, 1, 100_000),
      sockets: int(env, 'THINLINE_MAX_SOCKETS', 5000, 1, 1_000_000),
      joinTimeoutMs: int(env, 'THINLINE_JOIN_TIMEOUT_MS', 10_000, 100, 600_000),
      roomsPerIpPerMinute: int(env, 'THINLINE_ROOMS_PER_IP_PER_MIN', 10, 1, 100_000),
      rooms: int(env, 'THINLINE_MAX_ROOMS', 10_000, 1, 10_000_000),
      roomIdleDays: int(env, 'THINLINE_ROOM_IDLE_DAYS', 30, 1, 3650),
      socketBackpressureBytes: int(env, 'THINLINE_SOCKET_BACKPRESSURE_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      requestTimeoutMs: int(env, 'THINLINE_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
      recordingMaxBytes: int(env, 'THINLINE_RECORDING_MAX_BYTES', 2 * 1024 ** 3, 1024, 64 * 1024 ** 3),
      recordingRetentionDays: int(env, 'THINLINE_RECORDING_RETENTION_DAYS', 90, 1, 3650),
      recordingUploads: int(env, 'THINLINE_RECORDING_UPLOADS', 8, 1, 1000),
    },
  };
  return { ...config, ...overrides, limits: { ...config.limits, ...overrides.limits } };
}
