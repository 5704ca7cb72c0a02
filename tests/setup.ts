// mediasoup reads MEDIASOUP_WORKER_BIN at import time: point it at our offline build first.
import { ensureWorkerBin } from '../server/src/workerBin.js';
import { setLogLevel } from '../server/src/log.js';

ensureWorkerBin();
setLogLevel((process.env.THINLINE_LOG_LEVEL as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'error');
