/** Path of the offline-built mediasoup worker for a mediasoup version (default: the installed one). */
export function workerBinPath(version?: string): string;
export function mediasoupVersion(): string;
export function buildWorker(options?: { log?: (line: string) => void }): string;
