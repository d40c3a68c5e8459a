// The part of http_ece (RFC 8188 encrypted content encoding) the push-service simulator uses; the package ships no types.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  export interface DecryptParams {
    version: 'aes128gcm' | 'aesgcm';
    /** The receiver's ECDH key pair. */
    privateKey?: ECDH;
    /** The RFC 8291 authentication secret, base64url or bytes. */
    authSecret?: string | Buffer;
    dh?: string | Buffer;
    salt?: string | Buffer;
    key?: string | Buffer;
  }

  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}
