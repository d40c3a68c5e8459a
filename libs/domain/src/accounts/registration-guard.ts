import { ParleyError } from '@parley/protocol';
import type { Throttle, ThrottleFactory } from '../ports';

/** Registration limits; settable from the gateway's environment. */
export interface RegistrationLimits {
  /** Registrations per client IP per window (each costs an argon2 hash). @default 10 */
  perIp: number;
  /** The window, seconds. @default 600 */
  windowSec: number;
}

export const DEFAULT_REGISTRATION_LIMITS: Readonly<RegistrationLimits> = Object.freeze({ perIp: 10, windowSec: 600 });

/** Registrations per client IP, counted before any work is done (a refused one hashes nothing and creates nothing). */
export class RegistrationGuard {
  private readonly perIp: Throttle;

  constructor(throttles: ThrottleFactory, limits: Partial<RegistrationLimits> = {}) {
    const { perIp, windowSec } = { ...DEFAULT_REGISTRATION_LIMITS, ...limits };
    this.perIp = throttles.create({ name: 'register-ip', points: perIp, durationSec: windowSec });
  }

  /** Takes a registration for `ip`, or throws ParleyError `RATE_LIMITED` with `retryAfterMs`. */
  async admit(ip: string): Promise<void> {
    const decision = await this.perIp.consume(ip);
    if (!decision.ok) {
      throw new ParleyError('RATE_LIMITED', 'too many registrations from this address; try again later', {
        retryAfterMs: decision.retryAfterMs,
      });
    }
  }

  /** Gives a registration back when its work could not start (the password hasher was saturated). */
  async giveBack(ip: string): Promise<void> {
    await this.perIp.refund(ip);
  }
}
