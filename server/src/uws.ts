// Loads uWebSockets.js. The republished package silently falls back to a slow pure-JS
// implementation when no native binary matches this Node ABI; we load the native binary
// ourselves so that a fallback is always explicit, logged, and opt-in.
import { createRequire } from 'node:module';
import type * as UwsTypes from 'uWebSockets.js';
import { logger } from './log.js';

export type Uws = typeof UwsTypes;
export type { TemplatedApp, WebSocket, HttpResponse, HttpRequest } from 'uWebSockets.js';

const require = createRequire(import.meta.url);
const log = logger('uws');

export interface LoadedUws { uws: Uws; implementation: 'native' | 'fallback' }

export function loadUws(allowFallback: boolean): LoadedUws {
  const binary = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    const uws = require(binary) as Uws;
    log.info('loaded native uWebSockets.js', { binary: binary.split('/').pop() });
    return { uws, implementation: 'native' };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (!allowFallback) {
      throw new Error(
        `no native uWebSockets.js binary for node ${process.version} (ABI ${process.versions.modules}): ${reason}. ` +
        'Use Node 20, or set THINLINE_ALLOW_UWS_FALLBACK=1 to run on the slow JS fallback.',
      );
    }
    log.warn('using the slow JS fallback of uWebSockets.js (THINLINE_ALLOW_UWS_FALLBACK=1)', { reason });
    return { uws: require('uWebSockets.js') as Uws, implementation: 'fallback' };
  }
}
