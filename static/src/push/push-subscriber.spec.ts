import { describe, expect, it } from '@jest/globals';
import { base64UrlToBytes } from './push-subscriber';

describe('the VAPID key for PushManager', () => {
  it('decodes base64url, padded or not', () => {
    expect([...base64UrlToBytes('_-8')]).toEqual([255, 239]);
    expect([...base64UrlToBytes('AQID')]).toEqual([1, 2, 3]);
    expect([...base64UrlToBytes('AQ==')]).toEqual([1]);
    const key = 'B'.repeat(86) + 'A'; // 65 bytes, as a P-256 public key
    expect(base64UrlToBytes(key)).toHaveLength(65);
  });
});
