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
import { loadOrCreateVoteKey, type VoteKey } from './votes/keys.js';
import { openMemoryDatabase } from './storage/database.js';

export interface Server {
  config: Config;
  pool: WorkerPool;
  registry: RoomRegistry<RoomAllocator>;
  app: RunningApp;
  db: Database;
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
  const registry = new RoomRegistry<RoomAllocator>(pool, store, {
    createAllocator: (peers) => new RoomAllocator(peers, allocation),
    stores: sqliteMeetingStores(db),
    votes: { store: new SqliteVoteStore(db), keys: voteKey },
    minutes: new SqliteMinutesStore(db),
    maxRooms: config.limits.rooms, idleDays: config.limits.roomIdleDays,
    participantsPerRoom: config.limits.participantsPerRoom, graceMs: config.reconnectGraceMs,
  });
  let app: RunningApp;
  try {
    app = await startApp({
      uws, registry, clientDir: config.clientDir, publicUrl: config.publicUrl, graceMs: config.reconnectGraceMs, rateLimit: config.rateLimit,
      videoCodec: config.videoCodec, metricsToken: config.metricsToken, pool, limits: config.limits, trustProxy: config.trustProxy, voteKeyPem: voteKey.publicKeyPem,
    }, config.host, config.port);
  } catch (error) {
    registry.close();
    pool.close();
    db.close();
    throw error;
  }
  const url = app.publicUrl;
  let closed = false;
  return {
    config, pool, registry, app, db, voteKey, url, implementation,
    close() {
      if (closed) return;
      closed = true;
      app.close();
      registry.close();
      pool.close();
      db.close();
    },
  };
}
