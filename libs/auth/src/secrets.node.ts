import { createHash, randomBytes } from 'node:crypto';
import type { SecretCodec } from '@parley/domain';

/** Refresh-token secrets from Node's CSPRNG, fingerprinted with SHA-256. */
export class NodeSecretCodec implements SecretCodec {
  randomSecret(bytes: number): string {
    return randomBytes(bytes).toString('base64url');
  }

  fingerprint(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
  }
}
