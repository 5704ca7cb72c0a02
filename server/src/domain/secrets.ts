// Secrets at rest and in comparisons: stored as SHA-256 digests, compared in constant
// time, and only ever shown in logs as a short digest that cannot be turned back.
import { createHash, timingSafeEqual } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of `given` against a stored SHA-256 digest (hex). */
export function matchesHash(given: string, storedHash: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = Buffer.from(storedHash, 'hex');
  return b.length === a.length && timingSafeEqual(a, b);
}

/** Constant-time equality of two secrets of any length (hashing first equalizes lengths). */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** A log-safe label for a secret id (rooms are addressed by their secret id). */
export function logId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 8);
}
