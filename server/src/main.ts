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
  // The demo room's moderator key is stored only as a hash, so it is issued anew on every
  // start and printed here once (to the terminal, never to the log).
  const { room, moderatorKey } = await server.registry.demoRoom();
  const { roomLinks } = await import('./http/api.js');
  const links = roomLinks(server.url, room.id, moderatorKey);
  const phone = server.phone
    ? `  By phone:          SIP ${server.phone.config.publicAddress}:${server.phone.config.port}${server.phone.config.number ? ` (${server.phone.config.number})` : ''}, meeting ${room.record.dialInId}#, PIN ${room.record.dialInPin}#\n`
    : '';
  process.stdout.write(`\n  Thinline is ready.\n\n  Open:              ${server.url}/\n  Join (moderator):  ${links.moderatorUrl}\n  Join (participant): ${links.participantUrl}\n${phone}\n`);
  const stop = (signal: string) => {
    log.info('shutting down', { signal });
    server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Last line of defence only: every uWS callback has its own guard (http/guard.ts).
  process.on('uncaughtException', (error) => log.error('uncaught exception', { error: error.stack ?? error.message }));
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason instanceof Error ? reason.stack : String(reason) }));
}

main().catch((error: unknown) => {
  log.error('failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
