// Composition root: media workers, rooms, HTTP/WebSocket app. Used by main.ts and tests.
import type { Config } from './config.js';
import { FileRoomStore, MemoryRoomStore, type RoomStore } from './domain/RoomStore.js';
import { RoomRegistry } from './domain/RoomRegistry.js';
import { startApp, type RunningApp } from './http/app.js';
import { WorkerPool } from './media/WorkerPool.js';
import { loadUws } from './uws.js';

export interface Server {
  config: Config;
  pool: WorkerPool;
  registry: RoomRegistry;
  app: RunningApp;
  url: string;
  implementation: 'native' | 'fallback';
  close(): void;
}

export async function startServer(config: Config, store?: RoomStore): Promise<Server> {
  const { uws, implementation } = loadUws(config.allowUwsFallback);
  const pool = await WorkerPool.create({
    numWorkers: config.numWorkers,
    listenIp: config.rtcListenIp,
    announcedIp: config.rtcAnnouncedIp,
    portBase: config.rtcPortBase,
  });
  const registry = new RoomRegistry(pool, store ?? (config.dataDir ? new FileRoomStore(config.dataDir) : new MemoryRoomStore()), { lastN: config.lastN });
  let app: RunningApp;
  try {
    app = await startApp({
      uws, registry, clientDir: config.clientDir, publicUrl: config.publicUrl, graceMs: config.reconnectGraceMs, rateLimit: config.rateLimit, videoCodec: config.videoCodec, metricsToken: config.metricsToken, pool,
    }, config.host, config.port);
  } catch (error) {
    pool.close();
    throw error;
  }
  const url = app.publicUrl;
  let closed = false;
  return {
    config, pool, registry, app, url, implementation,
    close() {
      if (closed) return;
      closed = true;
      app.close();
      registry.close();
      pool.close();
    },
  };
}
