// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: call this before any
// (dynamic) import of mediasoup. The binary is built offline by scripts/worker-build.mjs,
// which also owns where it lives.
import { existsSync } from 'node:fs';
import { workerBinPath } from '../../scripts/worker-build.mjs';

export function ensureWorkerBin(): string {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  const bin = workerBinPath();
  if (!existsSync(bin)) throw new Error(`mediasoup worker not built (${bin}): run \`npm run bootstrap\``);
  process.env.MEDIASOUP_WORKER_BIN = bin;
  return bin;
}
