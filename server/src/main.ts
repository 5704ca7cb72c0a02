// `npm start`: start Thinline with defaults and print a join link.
import { loadConfig } from './config.js';
import { logger, setLogLevel } from './log.js';
import { ensureWorkerBin } from './workerBin.js';

const log = logger('main');

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  ensureWorkerBin();
  const { startServer } = await import('./server.js');
  const server = await startServer(config);
  log.info('Thinline is running', { url: server.url, uws: server.implementation, workers: config.numWorkers });
  const room = [...server.registry.rooms][0] ?? (await server.registry.create('Demo meeting'));
  const { roomLinks } = await import('./http/api.js');
  const links = roomLinks(server.url, room.id, room.record.moderatorKey);
  console.log(`\n  Thinline is ready.\n\n  Open:              ${server.url}/\n  Join (moderator):  ${links.moderatorUrl}\n  Join (participant): ${links.participantUrl}\n`);
  const stop = (signal: string) => {
    log.info('shutting down', { signal });
    server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log.error('failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
