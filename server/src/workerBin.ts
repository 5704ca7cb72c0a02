// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: call this before any
// (dynamic) import of mediasoup. The binary is built offline by scripts/worker-build.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function ensureWorkerBin(): string {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules/mediasoup/package.json'), 'utf8')) as { version: string };
  const bin = join(root, '.cache', 'mediasoup-worker', version, 'mediasoup-worker');
  if (!existsSync(bin)) throw new Error(`mediasoup worker not built (${bin}): run \`npm run bootstrap\``);
  process.env.MEDIASOUP_WORKER_BIN = bin;
  return bin;
}
