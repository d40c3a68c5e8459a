import { ParleyError } from '@parley/protocol';
import type { Throttle, ThrottleDecision, ThrottleFactory } from '../ports';

/** Login throttling limits; every one can be set from the gateway's environment. */
export interface LoginLimits {
  /** Failed logins per (account, client IP) before the backoff starts. @default 10 */
  accountIpFreeFailures: number;
  /** Failed logins per account from all IPs together before the backoff starts. @default 100 */
  accountFreeFailures: number;
  /** Wait after the first failure past the free ones; doubles with each further one. @default 1 */
  backoffBaseSec: number;
  /** The longest wait the backoff grows to (a wait, never a lockout). @default 300 */
  backoffMaxSec: number;
  /** How long failures are remembered, counted from the first one. @default 86400 (a day) */
  failureMemorySec: number;
  /** Failed logins per client IP, whatever the account (spraying many accounts). @default 100 */
  ipFailures: number;
  /** The window of `ipFailures`. @default 900 (15 minutes) */
  ipWindowSec: number;
  /**
   * How long an address stays known to an account after signing in to it: a known
   * address skips the account-wide backoff (its own per-(account, address) one still
   * applies). @default 2592000 (30 days)
   */
  knownClientSec: number;
}

export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  accountIpFreeFailures: 10,
  accountFreeFailures: 100,
  backoffBaseSec: 1,
  backoffMaxSec: 300,
  failureMemorySec: 86_400,
  ipFailures: 100,
  ipWindowSec: 900,
  knownClientSec: 30 * 86_400,
});

/** Who a login is for: a resolved account, or (unknown username) its canonical username key, so both cost the same. */
export type LoginSubject = { userId: string } | { usernameKey: string };

/** A reserved failed-login slot, settled once the password was checked. */
export interface LoginAttempt {
  /** The password was right: the slots go back, and this client's failures on the account are forgotten. */
  succeeded(): Promise<void>;
  /** The password was not checked after all (the hasher refused work): every slot goes back. */
  cancel(): Promise<void>;
}

/** Failure counters never refuse by themselves; a gate does (see BackoffLimit). */
const UNBOUNDED = 1_000_000_000;

/**
 * Exponential backoff after `free` failures on one key: failure n > free must
 * pass a one-point gate whose window is backoff(n - free) = base * 2^(n-free-1)
 * seconds, capped. The gate is taken BEFORE the password is checked, so while
 * one guess past the free ones is being verified every other one is refused,
 * and a wrong guess leaves the gate shut for its window.
 */
class BackoffLimit {
  private readonly failures: Throttle;
  private readonly gate: Throttle;

  constructor(
    throttles: ThrottleFactory,
    name: string,
    private readonly free: number,
    private readonly limits: LoginLimits,
  ) {
    this.failures = throttles.create({ name: `${name}-failures`, points: UNBOUNDED, durationSec: limits.failureMemorySec });
    this.gate = throttles.create({ name: `${name}-gate`, points: 1, durationSec: limits.backoffBaseSec });
  }

  /** Reserves one failure for `key`, pushing what to give back onto `undo`; the refusal when the gate is shut. */
  async reserve(key: string, undo: Undo): Promise<ThrottleDecision> {
    const counted = await this.failures.consume(key);
    undo.push(() => this.failures.refund(key));
    const beyond = counted.consumed - this.free;
    if (beyond <= 0) return counted;
    const gate = await this.gate.consume(key, 1, { windowSec: this.backoffSec(beyond) });
    // Reopened by deleting it, not by a refund that would leave its window running: the next
    // failure then gets a window of its own length.
    if (gate.ok) undo.push(() => this.gate.reset(key));
    return gate;
  }

  /** Forgets the key's failures and opens its gate. */
  async forget(key: string): Promise<void> {
    await Promise.all([this.failures.reset(key), this.gate.reset(key)]);
  }

  private backoffSec(beyond: number): number {
    const { backoffBaseSec, backoffMaxSec } = this.limits;
    return Math.max(1, Math.ceil(Math.min(backoffMaxSec, backoffBaseSec * 2 ** Math.min(beyond - 1, 30))));
  }
}

type Undo = (() => Promise<void>)[];

/**
 * The login throttle. Every attempt reserves a failure in each limit before
 * the password is checked (atomically, in the shared engine), so parallel
 * guesses cannot all pass a check made before any of them is recorded, on
 * one gateway or many. Limits, checked in this order:
 *
 * - per (account, IP): `accountIpFreeFailures` free, then backoff;
 * - per account from every IP: `accountFreeFailures` free, then backoff
 *   (a distributed guesser slows down). Skipped by an address that signed in
 *   to the account within `knownClientSec`: guessers spread over many
 *   addresses can keep this gate shut, and it must not shut out the owner;
 * - per client IP: `ipFailures` per `ipWindowSec`, refused beyond (spraying
 *   many accounts, each within its own free failures).
 *
 * Refused attempts give back what they reserved, so hammering a shut gate
 * costs the attacker nothing but does not lengthen the owner's wait either.
 */
export class LoginGuard {
  private readonly limits: LoginLimits;
  private readonly perIp: Throttle;
  private readonly perAccountIp: BackoffLimit;
  private readonly perAccount: BackoffLimit;
  /** (account, address) pairs that signed in: any count above zero means known. */
  private readonly knownClients: Throttle;

  constructor(throttles: ThrottleFactory, limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.perIp = throttles.create({ name: 'login-ip', points: this.limits.ipFailures, durationSec: this.limits.ipWindowSec });
    this.perAccountIp = new BackoffLimit(throttles, 'login-account-ip', this.limits.accountIpFreeFailures, this.limits);
    this.perAccount = new BackoffLimit(throttles, 'login-account', this.limits.accountFreeFailures, this.limits);
    this.knownClients = throttles.create({ name: 'login-known-client', points: UNBOUNDED, durationSec: this.limits.knownClientSec });
  }

  /**
   * Reserves a failed login for `subject` from `ip`: ParleyError
   * `RATE_LIMITED` (with `retryAfterMs`) when a limit refuses, nothing kept;
   * `UNAVAILABLE` when the engine cannot decide (fail closed).
   */
  async reserve(subject: LoginSubject, ip: string): Promise<LoginAttempt> {
    const accountIp = accountIpKey(subject, ip);
    const account = accountKey(subject);
    const undo: Undo = [];
    const giveBack = () => settle(undo.splice(0).reverse());
    try {
      // Only accounts that exist have owners to know (an unknown username's key is never remembered).
      const known = 'userId' in subject && (await this.knownClients.peek(accountIp)) > 0;
      const limits: [BackoffLimit, string][] = [[this.perAccountIp, accountIp]];
      if (!known) limits.push([this.perAccount, account]);
      for (const [limit, key] of limits) {
        const decision = await limit.reserve(key, undo);
        if (!decision.ok) throw rateLimited(decision.retryAfterMs);
      }
      // Last, so it counts only attempts that will be checked: a burst at one account is
      // absorbed by its gate and does not use up (or report the wait of) the address's window.
      const ipDecision = await this.perIp.consume(ip);
      if (!ipDecision.ok) throw rateLimited(ipDecision.retryAfterMs);
      undo.push(() => this.perIp.refund(ip));
    } catch (err) {
      await giveBack();
      throw err;
    }
    return {
      succeeded: async () => {
        // This client proved it knows the password: its failures on the account go; the
        // account-wide and IP counts only lose this attempt (others may still be guessing).
        await giveBack();
        await settle([() => this.perAccountIp.forget(accountIp), () => this.remember(subject, accountIp)]);
      },
      cancel: giveBack,
    };
  }

  /** A new account's address is its owner's: known from the start, as after a sign-in. Best effort. */
  async registered(userId: string, ip: string): Promise<void> {
    const subject = { userId };
    await settle([() => this.remember(subject, accountIpKey(subject, ip))]);
  }

  /** Marks the address known to the account for `knownClientSec` from now (a new window on each sign-in). */
  private async remember(subject: LoginSubject, accountIp: string): Promise<void> {
    if (!('userId' in subject)) return;
    await this.knownClients.reset(accountIp);
    await this.knownClients.consume(accountIp);
  }
}

function accountKey(subject: LoginSubject): string {
  return 'userId' in subject ? `u:${subject.userId}` : `n:${subject.usernameKey}`;
}

function accountIpKey(subject: LoginSubject, ip: string): string {
  return `${ip}/${accountKey(subject)}`;
}

/** Runs every step even if some fail (a refund that cannot reach Redis must not hide the login's outcome). */
async function settle(steps: (() => Promise<void>)[]): Promise<void> {
  await Promise.allSettled(steps.map((step) => step()));
}

function rateLimited(retryAfterMs: number): ParleyError {
  return new ParleyError('RATE_LIMITED', 'too many failed logins; try again later', { retryAfterMs });
}
