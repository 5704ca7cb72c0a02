// The server's Ed25519 signing key for vote results: created on first start in the data
// directory (mode 0600, never in git), loaded afterwards. The public key is published at
// /.well-known/thinline-vote-key and printed in every report.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VoteKey { privateKey: KeyObject; publicKeyPem: string }

export const KEY_FILE = 'vote-signing-key.pem';

export function loadOrCreateVoteKey(dataDir: string | null): VoteKey {
  if (dataDir) {
    const file = join(dataDir, KEY_FILE);
    if (existsSync(file)) {
      const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
      return { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
    }
    mkdirSync(dataDir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
