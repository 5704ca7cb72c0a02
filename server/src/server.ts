// Composition root: database, media workers, rooms, HTTP/WebSocket app. Used by main.ts and tests.
import type { Config } from './config.js';
import { RoomRegistry } from './domain/RoomRegistry.js';
import { startApp, type RunningApp } from './http/app.js';
import { WorkerPool, type PoolOptions } from './media/WorkerPool.js';
import { openDatabase, type Database } from './storage/database.js';
import { SqliteRoomStore } from './storage/SqliteRoomStore.js';
import { loadUws } from './uws.js';
import { DEFAULT_ALLOCATION, RoomAllocator } from './allocation/RoomAllocator.js';
import { sqliteMeetingStores } from './storage/SqliteMeetingStores.js';
import { SqliteVoteStore } from './storage/SqliteVoteStore.js';
import { SqliteMinutesStore } from './storage/SqliteMinutesStore.js';
import { SqliteRecordingStore } from './storage/SqliteRecordingStore.js';
import { loadOrCreateVoteKey, type VoteKey } from './votes/keys.js';
import { openMemoryDatabase } from './storage/database.js';
import { Archive } from './recording/Archive.js';
import { ArchiveTokens } from './recording/tokens.js';
import type { RecordingServices } from './recording/services.js';
import { join } from 'node:path';
import { PhoneGateway } from './phone/Gateway.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export interface Server {
  config: Config;
  pool: WorkerPool;
  registry: RoomRegistry<RoomAllocator>;
  app: RunningApp;
  db: Database;
  recordings: RecordingServices;
  phone: PhoneGateway | null;
  voteKey: VoteKey;
  url: string;
  implementation: 'native' | 'fallback';
  close(): void;
}

export interface ServerDeps {
  createWorker?: PoolOptions['createWorker'];
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<Server> {
  const { uws, implementation } = loadUws(config.allowUwsFallback);
  const pool = await WorkerPool.create({
    numWorkers: config.numWorkers,
    listenIp: config.rtcListenIp,
    announcedIp: config.rtcAnnouncedIp,
    portBase: config.rtcPortBase,
    ...(deps.createWorker ? { createWorker: deps.createWorker } : {}),
  });
  // One SQLite file in the data directory (an in-memory one without a data directory).
  const db: Database = config.dataDir ? openDatabase(config.dataDir) : openMemoryDatabase();
  const store = new SqliteRoomStore(db);
  if (config.dataDir) store.importJson(config.dataDir);
  const allocation = { ...DEFAULT_ALLOCATION, lastN: config.lastN };
  const voteKey = loadOrCreateVoteKey(config.dataDir || null);
  const recordingStore = new SqliteRecordingStore(db);
  const registry = new RoomRegistry<RoomAllocator>(pool, store, {
    createAllocator: (peers) => new RoomAllocator(peers, allocation),
    stores: sqliteMeetingStores(db),
    votes: { store: new SqliteVoteStore(db), keys: voteKey },
    minutes: new SqliteMinutesStore(db),
    recording: recordingStore,
    maxRooms: config.limits.rooms, idleDays: config.limits.roomIdleDays,
    participantsPerRoom: config.limits.participantsPerRoom, graceMs: config.reconnectGraceMs,
  });
  const recordings: RecordingServices = {
    archive: new Archive({
      dir: join(config.dataDir || mkdtempSync(join(tmpdir(), 'thinline-archive-')), 'recordings'), store: recordingStore.archive,
      maxBytes: config.limits.recordingMaxBytes, retentionDays: config.limits.recordingRetentionDays, maxUploads: config.limits.recordingUploads,
    }),
    tokens: new ArchiveTokens(),
  };
  const extraMetrics: { phone?: () => unknown } = {};
  let app: RunningApp;
  try {
    app = await startApp({
      uws, registry, clientDir: config.clientDir, publicUrl: config.publicUrl, graceMs: config.reconnectGraceMs, rateLimit: config.rateLimit,
      videoCodec: config.videoCodec, metricsToken: config.metricsToken, pool, limits: config.limits, trustProxy: config.trustProxy, voteKeyPem: voteKey.publicKeyPem, recordings, phoneNumber: config.phone?.number, extraMetrics,
    }, config.host, config.port);
  } catch (error) {
    registry.close();
    recordings.archive.close();
    pool.close();
    db.close();
    throw error;
  }
  let phone: PhoneGateway | null = null;
  if (config.phone) {
    try {
      phone = await PhoneGateway.start(config.phone, registry, { dataDir: config.dataDir || tmpdir(), graceMs: config.reconnectGraceMs });
    } catch (error) {
      app.close(); registry.close(); recordings.archive.close(); pool.close(); db.close();
      throw error;
    }
  }
  if (phone) { const gw = phone; extraMetrics.phone = () => gw.metrics(); }
  const url = app.publicUrl;
  let closed = false;
  return {
    config, pool, registry, app, db, recordings, phone, voteKey, url, implementation,
    close() {
      if (closed) return;
      closed = true;
      phone?.close();
      app.close();
      registry.close();
      recordings.archive.close();
      pool.close();
      db.close();
    },
  };
}
