import { ParleyError } from '@parley/protocol';
import { backoffDelay, silentLogger } from '@parley/util';
import { sleep } from './abortable-sleep';
import { AntiEntropy } from './anti-entropy';
import {
  agentKnowsService,
  cancellable,
  connectConsul,
  consulErrorText,
  consulStatus,
  goDuration,
  isAclRefusal,
  isRetryable,
  type ConsulConnection,
  type ConsulConnectionOptions,
} from './consul-connection';
import { errorMessage, type DiscoveryLog } from './logger';

export interface ConsulServiceRegistrarOptions extends ConsulConnectionOptions {
  /** Consul service name to register under. @default 'parley-im' for nodes, 'parley-gateway' for gateways */
  serviceName?: string;
  /** Extra service tags. @default [] */
  tags?: string[];
  /** How often Consul GETs the healthUrl. @default 2_000 */
  checkIntervalMs?: number;
  /** Timeout of one health check request. @default 1_000 */
  checkTimeoutMs?: number;
  /**
   * Consul removes the service once its check has been critical this long, so
   * a crashed process does not linger (Consul enforces at least 1 minute).
   * @default 60_000
   */
  deregisterCriticalAfterMs?: number;
  /**
   * Check status at registration. Consul's default, critical, keeps the
   * service out of passing lists until its first check passes.
   * @default 'critical'
   */
  initialStatus?: 'critical' | 'passing';
  /**
   * How often the registrar asks the agent whether it still knows the service,
   * and registers it again if not (an agent restarted without its state, or a
   * stall long enough for the reaper). 0 turns this off.
   * @default 10_000
   */
  antiEntropyMs?: number;
  /** Attempts per register call while Consul is unreachable. @default 8 */
  maxAttempts?: number;
  /**
   * deregister() runs at shutdown, before a drain: it gives up after this
   * long overall (stopping anti-entropy included), well inside a stop grace
   * period (compose 30 s, Kubernetes 40 s here); Consul's reaper removes what
   * is left once the check turns critical. @default 3_000
   */
  deregisterTimeoutMs?: number;
  /** Attempts of deregister() within deregisterTimeoutMs. @default 2 */
  deregisterAttempts?: number;
  /** First retry delay; doubles each attempt (with jitter). @default 200 */
  retryMinDelayMs?: number;
  /** Cap on the retry delay. @default 5_000 */
  retryMaxDelayMs?: number;
  /** Timeout of one HTTP call to the agent. @default 5_000 */
  requestTimeoutMs?: number;
  /** @default silent */
  logger?: DiscoveryLog;
}

/** One service instance as the faces (node, gateway) hand it over. */
export interface ServiceDefinition {
  id: string;
  address: string;
  port: number;
  meta: Record<string, string>;
  /** Consul GETs this; 2xx is passing. */
  healthUrl: string;
}

/**
 * Registers service instances with the local Consul agent (with an HTTP
 * check), retrying with backoff while the agent is unreachable, and keeps each
 * one registered (anti-entropy) until deregister() or close(). The node and
 * gateway registrars are thin faces over this (each adds its register()).
 */
export abstract class ConsulServiceRegistrar {
  private readonly connection: ConsulConnection;
  private readonly serviceName: string;
  private readonly tags: string[];
  private readonly checkIntervalMs: number;
  private readonly checkTimeoutMs: number;
  private readonly deregisterCriticalAfterMs: number;
  private readonly initialStatus: 'critical' | 'passing';
  private readonly antiEntropyMs: number;
  private readonly maxAttempts: number;
  private readonly deregisterTimeoutMs: number;
  private readonly deregisterAttempts: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly requestTimeoutMs: number;
  private readonly logger: DiscoveryLog;
  private readonly closing = new AbortController();
  private readonly keepers = new Map<string, AntiEntropy>();

  constructor(
    options: ConsulServiceRegistrarOptions,
    defaultServiceName: string,
    /** What an instance is called in errors: 'node', 'gateway'. */
    private readonly kind: string,
  ) {
    this.connection = connectConsul(options);
    this.serviceName = options.serviceName ?? defaultServiceName;
    this.tags = options.tags ?? [];
    this.checkIntervalMs = options.checkIntervalMs ?? 2_000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
    this.deregisterCriticalAfterMs = options.deregisterCriticalAfterMs ?? 60_000;
    this.initialStatus = options.initialStatus ?? 'critical';
    this.antiEntropyMs = options.antiEntropyMs ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.deregisterTimeoutMs = options.deregisterTimeoutMs ?? 3_000;
    this.deregisterAttempts = Math.max(1, options.deregisterAttempts ?? 2);
    this.retryMinDelayMs = options.retryMinDelayMs ?? 200;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.logger = options.logger ?? silentLogger;
  }

  /** For the faces; `problems` are their own findings about their fields: any of them refuses the registration. */
  protected async registerService(service: ServiceDefinition, problems: string[] = []): Promise<void> {
    this.validate(service, problems);
    // A loop re-registering an older definition must not land after this one.
    await this.stopKeeper(service.id);
    const limits = { attempts: this.maxAttempts, signal: this.closing.signal, timeoutMs: this.requestTimeoutMs };
    await this.withRetry('register', service.id, limits, (signal, timeoutMs) => this.registerOnce(service, signal, timeoutMs));
    this.logger.info(this.logContext(service.id), 'registered in consul');
    if (this.antiEntropyMs > 0 && !this.closing.signal.aborted) {
      const keeper = new AntiEntropy({
        intervalMs: this.antiEntropyMs,
        isRegistered: (signal) => agentKnowsService(this.connection, service.id, { timeoutMs: this.requestTimeoutMs, signal }),
        register: (signal) => this.registerOnce(service, signal, this.requestTimeoutMs),
        logger: this.logger,
        context: this.logContext(service.id),
      });
      // Another registerService of this id may have started a loop while we waited: one loop per id.
      const previous = this.keepers.get(service.id);
      this.keepers.set(service.id, keeper);
      keeper.start();
      await previous?.stop();
    }
  }

  /**
   * Leaves Consul within deregisterTimeoutMs (deregisterAttempts tries), then
   * throws UNAVAILABLE: it runs at shutdown, and a drain waits for it.
   */
  async deregister(id: string): Promise<void> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.deregisterTimeoutMs);
    const closed = (): void => deadline.abort();
    this.closing.signal.addEventListener('abort', closed, { once: true });
    if (this.closing.signal.aborted) deadline.abort();
    const startedAt = Date.now();
    try {
      // Anti-entropy first, so it cannot put the service back behind our back (stop() cancels its request).
      await this.stopKeeper(id);
      const remaining = (): number => Math.max(1, Math.min(this.requestTimeoutMs, this.deregisterTimeoutMs - (Date.now() - startedAt)));
      const limits = { attempts: this.deregisterAttempts, signal: deadline.signal, timeoutMs: remaining };
      await this.withRetry('deregister', id, limits, async (signal, timeoutMs) => {
        try {
          const options = { id, timeout: timeoutMs };
          await cancellable(signal, (ctx) => this.connection.client.agent.service.deregister({ ...options, ctx } as typeof options));
        } catch (err) {
          if (isUnknownService(err)) return; // already gone (reaped, or never registered): the goal holds
          throw err;
        }
      });
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', closed);
    }
    this.logger.info(this.logContext(id), 'deregistered from consul');
  }

  /** Stops pending retries and anti-entropy (resolving once no request of theirs is in flight), and frees the HTTP agent. */
  async close(): Promise<void> {
    this.closing.abort();
    const keepers = [...this.keepers.values()];
    this.keepers.clear();
    await Promise.all(keepers.map((keeper) => keeper.stop()));
    this.connection.close();
  }

  private async stopKeeper(id: string): Promise<void> {
    const keeper = this.keepers.get(id);
    this.keepers.delete(id);
    await keeper?.stop();
  }

  private async registerOnce(service: ServiceDefinition, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const definition = {
      name: this.serviceName,
      id: service.id,
      address: service.address,
      port: service.port,
      tags: this.tags,
      meta: service.meta,
      check: {
        name: `${this.serviceName} ${new URL(service.healthUrl).pathname}`,
        http: service.healthUrl,
        interval: goDuration(this.checkIntervalMs),
        timeout: goDuration(this.checkTimeoutMs),
        deregistercriticalserviceafter: goDuration(this.deregisterCriticalAfterMs),
        status: this.initialStatus,
      },
      timeout: timeoutMs,
    };
    await cancellable(signal, (ctx) => this.connection.client.agent.service.register({ ...definition, ctx } as typeof definition));
  }

  private validate(service: ServiceDefinition, problems: string[]): void {
    const found = [...problems];
    if (!service.id) found.unshift(`${this.kind}Id is empty`);
    if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65_535) found.push('port is not a TCP port');
    if (!isHttpUrl(service.healthUrl)) found.push('healthUrl is not an http(s) URL');
    if (found.length) throw new ParleyError('INVALID_ARGUMENT', `bad ${this.kind} registration: ${found.join(', ')}`);
  }

  private logContext(id: string): Record<string, string> {
    return { [`${this.kind}Id`]: id, service: this.serviceName, consul: this.connection.endpoint };
  }

  /**
   * Calls until it succeeds, a refusal that will not pass, `attempts` tries,
   * or `signal` (which also cancels the try in flight).
   */
  private async withRetry(
    action: string,
    id: string,
    limits: { attempts: number; signal: AbortSignal; timeoutMs: number | (() => number) },
    call: (signal: AbortSignal, timeoutMs: number) => Promise<unknown>,
  ): Promise<void> {
    const { signal } = limits;
    for (let attempt = 1; ; attempt++) {
      try {
        await call(signal, typeof limits.timeoutMs === 'number' ? limits.timeoutMs : limits.timeoutMs());
        return;
      } catch (err) {
        if (signal.aborted) {
          throw new ParleyError('UNAVAILABLE', `consul unavailable: ${action} of ${id} given up`, { cause: err });
        }
        if (!isRetryable(err)) {
          const acl = isAclRefusal(err);
          const hint = acl ? `; the Consul ACL token must exist and allow service:write on "${this.serviceName}"` : '';
          throw new ParleyError(
            acl ? 'FORBIDDEN' : 'INVALID_ARGUMENT',
            `consul rejected ${action} of ${id} (${consulErrorText(err)})${hint}`,
            { cause: err },
          );
        }
        if (attempt >= limits.attempts) {
          throw new ParleyError('UNAVAILABLE', `consul unavailable: ${action} of ${id} failed`, { cause: err });
        }
        const delayMs = backoffDelay(attempt - 1, { initialMs: this.retryMinDelayMs, maxMs: this.retryMaxDelayMs });
        this.logger.warn(
          { ...this.logContext(id), attempt, delayMs, err: errorMessage(err) },
          `consul ${action} failed; retrying`,
        );
        await sleep(delayMs, signal);
      }
    }
  }
}

/** Consul answers 404 for an unknown service ID; older versions answered 500 "Unknown service". */
function isUnknownService(err: unknown): boolean {
  const status = consulStatus(err);
  if (status === 404) return true;
  const body = (err as { response?: { body?: unknown } }).response?.body;
  return status === 500 && /unknown service/i.test(String(body ?? ''));
}

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
