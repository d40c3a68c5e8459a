import { DependencyProbe, type Dependency } from '@parley/observability';
import type { Logger } from '@parley/util';

/** A dependency /readyz asks whether it answers: the store (Store.ping), the limits' Redis. */
export interface Pingable {
  ping(): Promise<unknown>;
}

/** What the gateway's readiness asks of. Each is optional: no store, no Redis (embedded) is simply not checked. */
export interface ReadinessDeps {
  store?: Pingable;
  /** The Redis the login and registration limits count in (PARLEY_REDIS_URL); sign-ins fail closed without it. */
  redis?: Pingable;
  /** The gRPC relay: nodes dial it; a gateway whose relay is not listening relays nothing. */
  relay?: { isListening(): boolean };
  logger?: Logger;
  /** Milliseconds for the answer cache. @default Date.now */
  clock?: { now(): number };
}

export interface ReadinessTiming {
  /** Longest wait for a dependency's answer. @default 1000 */
  pingTimeoutMs?: number;
  /** How long one answer serves every caller. @default 1000 */
  answerCacheMs?: number;
}

/** Ready, or what failed: names (`stopping`, `database`, `redis`, `relay`) and one line saying how. */
export type ReadinessAnswer = { ready: true } | { ready: false; failed: string[]; detail: string };

/**
 * Whether this gateway should get traffic: not while it is stopping, while
 * its database or its limits' Redis does not answer (sign-ins and every
 * bearer check need them; the limits fail closed), or while its relay is not
 * listening. Consul's check on the gateway and a load balancer's probe read it.
 *
 * Deliberately NOT "at least one node stream up": nodes find gateways through
 * Consul's passing checks, so a gateway that waited for a node before passing
 * would never be found by one, and a fresh cluster would never start.
 *
 * /readyz needs no credentials: the dependencies are asked through the
 * shared DependencyProbe (at most one ping in flight each, a ping that
 * outlives its timeout not doubled while it hangs, one probe serving every
 * caller for answerCacheMs), so a flood of /readyz costs the database and
 * Redis nothing more.
 */
export class GatewayReadiness {
  private stopping = false;
  private readonly probe: DependencyProbe;
  private readonly clock: { now(): number };
  private last?: { answer: ReadinessAnswer; at: number };
  private readonly answerCacheMs: number;

  constructor(
    private readonly deps: ReadinessDeps = {},
    timing: ReadinessTiming = {},
  ) {
    this.answerCacheMs = timing.answerCacheMs ?? 1_000;
    this.clock = deps.clock ?? { now: Date.now };
    const dependencies: Dependency[] = [];
    if (deps.store) dependencies.push(pinged('database', deps.store));
    if (deps.redis) dependencies.push(pinged('redis', deps.redis));
    this.probe = new DependencyProbe({ dependencies, clock: this.clock, cacheMs: this.answerCacheMs, timeoutMs: timing.pingTimeoutMs ?? 1_000 });
  }

  /** From now on /readyz answers 503: the gateway is leaving. */
  markStopping(): void {
    this.stopping = true;
  }

  /** The answer /readyz gives now (dependencies cached and asked one check at a time; the relay read fresh). */
  async answer(): Promise<ReadinessAnswer> {
    if (this.stopping) return { ready: false, failed: ['stopping'], detail: 'not ready: stopping' };
    const failures: { name: string; how: string }[] = [...(await this.probe.failures())];
    if (this.deps.relay && !this.deps.relay.isListening()) failures.push({ name: 'relay', how: 'not listening' });
    const answer: ReadinessAnswer =
      failures.length === 0
        ? { ready: true }
        : { ready: false, failed: failures.map((f) => f.name), detail: `not ready: ${failures.map((f) => `${f.name} ${f.how}`).join(', ')}` };
    this.logChange(answer);
    this.last = { answer, at: this.clock.now() };
    return answer;
  }

  /**
   * The last answer without waiting (parley_ready at scrape time): false while
   * stopping or before any check; a stale answer starts a fresh check for the
   * next scrape.
   */
  readyNow(): boolean {
    if (this.stopping) return false;
    if (!this.last || this.clock.now() - this.last.at >= this.answerCacheMs) void this.answer();
    return this.last?.answer.ready ?? false;
  }

  /** One line when readiness changes (not per probe: Consul asks every few seconds). */
  private logChange(answer: ReadinessAnswer): void {
    const before = this.last?.answer;
    const unchanged = before !== undefined && (before.ready ? answer.ready : !answer.ready && before.detail === answer.detail);
    if (unchanged) return;
    if (answer.ready) this.deps.logger?.info({}, 'gateway ready');
    else this.deps.logger?.warn({ failed: answer.failed }, answer.detail);
  }
}

function pinged(name: string, target: Pingable): Dependency {
  return { name, check: () => target.ping() };
}
