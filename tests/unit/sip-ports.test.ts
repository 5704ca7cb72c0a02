// The SIP port is free for UDP and TCP alike (a UDP-only check once handed the stack a port
// whose TCP side was taken, and its listener failed with an uncatchable error).
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeSipPort, tcpPortFree } from '../../server/src/phone/ports.js';

const listen = (port: number) => new Promise<Server>((resolve, reject) => { const s = createServer(); s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve(s)); });

describe('SIP ports', () => {
  it('a port taken for TCP is reported as taken', async () => {
    const taken = await listen(0);
    const port = (taken.address() as { port: number }).port;
    expect(await tcpPortFree('127.0.0.1', port)).toBe(false);
    await new Promise((r) => taken.close(r));
    expect(await tcpPortFree('127.0.0.1', port)).toBe(true);
  });

  it('a picked port can be listened on over TCP', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freeSipPort('127.0.0.1', true);
      const s = await listen(port); // throws EADDRINUSE if the pick was wrong
      await new Promise((r) => s.close(r));
    }
  });
});
