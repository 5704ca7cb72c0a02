// Picking the SIP port: the SIP stack listens on UDP and (optionally) TCP with one number,
// and an error of its TCP listener cannot be caught from outside it.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port free for UDP and, when SIP over TCP is on, for TCP too: the SIP stack listens on
 * both with one number, and a port that was free for UDP but taken for TCP made its TCP
 * listener fail with an error nothing could catch (seen in CI).
 */
export async function freeSipPort(host: string, tcp: boolean): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, host, () => resolve()));
    const port = udp.address().port;
    const tcpFree = !tcp || await tcpPortFree(host, port);
    udp.close();
    if (tcpFree) return port;
    if (attempt >= 20) throw new Error(`phone: no port free for both UDP and TCP on ${host}`);
  }
}

export function tcpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
