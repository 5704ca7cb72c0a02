// Composition root: database, media workers, rooms, HTTP/WebSocket app. Used by main.ts and tests.
import type { Config } from './config.js';
import { MemoryRoomStore, type RoomStore } from './domain/RoomStore.js';
import { RoomRegistry } from './domain/RoomRegistry.js';
import { startApp, type RunningApp } from './http/app.js';
import { WorkerPool, type PoolOptions } from './media/WorkerPool.js';
import { openDatabase, type Database } from './storage/database.js';
import { SqliteRoomStore } from './storage/SqliteRoomStore.js';
import { loadUws } from './uws.js';

export interface Server {
  config: Config;
  pool: WorkerPool;
  registry: RoomRegistry;
  app: RunningApp;
  db: Database | null;
  url: string;
  implementation: 'native' | 'fallback';
  close(): void;
}

export interface ServerDeps {
  /** Room records somewhere else than the data directory's database (tests). */
  store?: RoomStore;
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
  let db: Database | null = null;
  let store: RoomStore;
  if (deps.store) store = deps.store;
  else if (config.dataDir) {
    db = openDatabase(config.dataDir);
    const sqlite = new SqliteRoomStore(db);
    sqlite.importJson(config.dataDir);
    store = sqlite;
  } else store = new MemoryRoomStore();
  const registry = new RoomRegistry(pool, store, {
    allocation: { lastN: config.lastN }, maxRooms: config.limits.rooms, idleDays: config.limits.roomIdleDays,
    participantsPerRoom: config.limits.participantsPerRoom,
  });
  let app: RunningApp;
  try {
    app = await startApp({
      uws, registry, clientDir: config.clientDir, publicUrl: config.publicUrl, graceMs: config.reconnectGraceMs, rateLimit: config.rateLimit,
      videoCodec: config.videoCodec, metricsToken: config.metricsToken, pool, limits: config.limits, trustProxy: config.trustProxy,
    }, config.host, config.port);
  } catch (error) {
    registry.close();
    pool.close();
    db?.close();
    throw error;
  }
  const url = app.publicUrl;
  let closed = false;
  return {
    config, pool, registry, app, db, url, implementation,
    close() {
      if (closed) return;
      closed = true;
      app.close();
      registry.close();
      pool.close();
      db?.close();
    },
  };
}
