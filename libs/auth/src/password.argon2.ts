import argon2 from 'argon2';
import type { PasswordHasher } from '@parley/domain';

export interface Argon2Options {
  /** KiB of memory per hash. @default 19456 (OWASP's argon2id minimum) */
  memoryCost: number;
  /** @default 2 */
  timeCost: number;
}

const DEFAULTS: Argon2Options = { memoryCost: 19_456, timeCost: 2 };

/** argon2id hashes in PHC string format (salt and parameters inside). */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly options: Argon2Options;

  constructor(options: Partial<Argon2Options> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.options, parallelism: 1 });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
