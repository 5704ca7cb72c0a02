import { randomBytes, randomUUID } from 'node:crypto';

/** 128 random bits, base64url: unguessable room ids, moderator keys and resume tokens. */
export function secretId(): string {
  return randomBytes(16).toString('base64url');
}

export function peerId(): string {
  return randomUUID();
}
