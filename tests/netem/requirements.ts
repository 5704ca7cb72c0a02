// The netem tests need root (network namespaces) and /dev/net/tun. Locally they may skip,
// saying why; under CI=true a test that cannot run fails with the reason, never skips.
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

export function netemUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and TUN devices)';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  return null;
}

/** `describe` that runs when netem can; otherwise fails under CI, or skips locally with the reason. */
export function describeNetem(name: string, body: () => void): void {
  const reason = netemUnavailable();
  if (!reason) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => it('can run here', () => { throw new Error(`${name} cannot run: ${reason}`); }));
  } else {
    // Local runs without root: skipped, with the reason printed (never under CI).
    console.warn(`[netem] skipping "${name}": ${reason}`);
    describe.skipIf(!process.env.CI)(name, body);
  }
}
