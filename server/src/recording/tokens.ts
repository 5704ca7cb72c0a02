// Archive access tokens: a moderator gets one over the signaling connection (where their
// role is known) and presents it to the HTTP archive. Signed with a per-process key and
// short-lived, so nothing is stored and a leaked token expires by itself; a participant
// never gets one, so they cannot upload, list, download or delete.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ArchiveGrant { roomId: string; peerId: string; expiresAt: number }

export class ArchiveTokens {
  readonly #key = randomBytes(32);
  readonly #ttlMs: number;
  constructor(ttlMs = 60 * 60_000) { this.#ttlMs = ttlMs; }

  issue(roomId: string, peerId: string, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + this.#ttlMs;
    const body = Buffer.from(JSON.stringify({ r: roomId, p: peerId, e: expiresAt })).toString('base64url');
    return { token: `${body}.${this.#sign(body)}`, expiresAt };
  }

  /** The grant behind a token, or null when it is malformed, forged or expired. */
  verify(token: string, now = Date.now()): ArchiveGrant | null {
    if (token.length > 512) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const g = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { r?: unknown; p?: unknown; e?: unknown };
      if (typeof g.r !== 'string' || typeof g.p !== 'string' || typeof g.e !== 'number' || g.e <= now) return null;
      return { roomId: g.r, peerId: g.p, expiresAt: g.e };
    } catch {
      return null;
    }
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
