import type { NodeRegistrar, NodeRegistration } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { backoffDelay, silentLogger } from '@parley/util';
import { sleep } from './abortable-sleep';
import {
  connectConsul,
  consulCall,
  consulErrorText,
  consulStatus,
  goDuration,
  isAclRefusal,
  isRetryable,
  type ConsulConnection,
  type ConsulConnectionOptions,
} from './consul-connection';
import { errorMessage, type DiscoveryLog } from './logger';

export interface ConsulNodeRegistrarOptions extends ConsulConnectionOptions {
  /** Consul service name every IM node registers under. @default 'parley-im' */
  serviceName?: string;
  /** Extra service tags. @default [] */
  tags?: string[];
  /** How often Consul GETs the node's healthUrl. @default 2_000 */
  checkIntervalMs?: number;
  /** Timeout of one health check request. @default 1_000 */
  checkTimeoutMs?: number;
  /**
   * Consul removes the node once its check has been critical this long, so a
   * crashed node does not linger (Consul enforces at least 1 minute).
   * @default 60_000
   */
  deregisterCriticalAfterMs?: number;
  /**
   * Check status at registration. Consul's default, critical, keeps gateways
   * away from the node until its first check passes.
   * @default 'critical'
   */
  initialStatus?: 'critical' | 'passing';
  /** Attempts per register/deregister call while Consul is unreachable. @default 8 */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (with jitter). @default 200 */
  retryMinDelayMs?: number;
  /** Cap on the retry delay. @default 5_000 */
  retryMaxDelayMs?: number;
  /** Timeout of one HTTP call to the agent. @default 5_000 */
  requestTimeoutMs?: number;
  /** @default silent */
  logger?: DiscoveryLog;
}

/**
 * IM-node side of discovery on Consul: registers the node with the local agent
 * (service ID = nodeId, Meta { url, nodeId }) and an HTTP check on its
 * /healthz, retrying with backoff while the agent is unreachable.
 */
export class ConsulNodeRegistrar implements NodeRegistrar {
  private readonly connection: ConsulConnection;
  private readonly serviceName: string;
  private readonly tags: string[];
  private readonly checkIntervalMs: number;
  private readonly checkTimeoutMs: number;
  private readonly deregisterCriticalAfterMs: number;
  private readonly initialStatus: 'critical' | 'passing';
  private readonly maxAttempts: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly requestTimeoutMs: number;
  private readonly logger: DiscoveryLog;
  private readonly closing = new AbortController();

  constructor(options: ConsulNodeRegistrarOptions = {}) {
    this.connection = connectConsul(options);
    this.serviceName = options.serviceName ?? 'parley-im';
    this.tags = options.tags ?? [];
    this.checkIntervalMs = options.checkIntervalMs ?? 2_000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
    this.deregisterCriticalAfterMs = options.deregisterCriticalAfterMs ?? 60_000;
    this.initialStatus = options.initialStatus ?? 'critical';
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.retryMinDelayMs = options.retryMinDelayMs ?? 200;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.logger = options.logger ?? silentLogger;
  }

  async register(node: NodeRegistration): Promise<void> {
    validate(node);
    const definition = {
      name: this.serviceName,
      id: node.nodeId,
      address: node.address,
      port: node.port,
      tags: this.tags,
      meta: { url: node.url, nodeId: node.nodeId },
      check: {
        name: `${this.serviceName} /healthz`,
        http: node.healthUrl,
        interval: goDuration(this.checkIntervalMs),
        timeout: goDuration(this.checkTimeoutMs),
        deregistercriticalserviceafter: goDuration(this.deregisterCriticalAfterMs),
        status: this.initialStatus,
      },
      timeout: this.requestTimeoutMs,
    };
    const { service } = this.connection.client.agent;
    await this.withRetry('register', node.nodeId, () => consulCall(service.register(definition)));
    this.logger.info(
      { nodeId: node.nodeId, service: this.serviceName, consul: this.connection.endpoint },
      'registered in consul',
    );
  }

  async deregister(nodeId: string): Promise<void> {
    await this.withRetry('deregister', nodeId, async () => {
      try {
        const options = { id: nodeId, timeout: this.requestTimeoutMs };
        await consulCall(this.connection.client.agent.service.deregister(options));
      } catch (err) {
        if (isUnknownService(err)) return; // already gone (reaped, or never registered): the goal holds
        throw err;
      }
    });
    this.logger.info({ nodeId, service: this.serviceName, consul: this.connection.endpoint }, 'deregistered from consul');
  }

  /** Stops pending retries and frees the HTTP agent. */
  close(): void {
    this.closing.abort();
    this.connection.close();
  }

  private async withRetry(action: string, nodeId: string, call: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call();
        return;
      } catch (err) {
        if (!isRetryable(err)) {
          const acl = isAclRefusal(err);
          const hint = acl ? `; the Consul ACL token must exist and allow service:write on "${this.serviceName}"` : '';
          throw new ParleyError(
            acl ? 'FORBIDDEN' : 'INVALID_ARGUMENT',
            `consul rejected ${action} of ${nodeId} (${consulErrorText(err)})${hint}`,
            { cause: err },
          );
        }
        if (attempt >= this.maxAttempts || this.closing.signal.aborted) {
          throw new ParleyError('UNAVAILABLE', `consul unavailable: ${action} of ${nodeId} failed`, { cause: err });
        }
        const delayMs = backoffDelay(attempt - 1, { initialMs: this.retryMinDelayMs, maxMs: this.retryMaxDelayMs });
        this.logger.warn(
          { nodeId, attempt, delayMs, consul: this.connection.endpoint, err: errorMessage(err) },
          `consul ${action} failed; retrying`,
        );
        await sleep(delayMs, this.closing.signal);
      }
    }
  }
}

function validate(node: NodeRegistration): void {
  const problems: string[] = [];
  if (!node.nodeId) problems.push('nodeId is empty');
  if (!Number.isInteger(node.port) || node.port < 1 || node.port > 65_535) problems.push('port is not a TCP port');
  if (!isHttpUrl(node.url)) problems.push('url is not an http(s) URL');
  if (!isHttpUrl(node.healthUrl)) problems.push('healthUrl is not an http(s) URL');
  if (problems.length) throw new ParleyError('INVALID_ARGUMENT', `bad node registration: ${problems.join(', ')}`);
}

/** Consul answers 404 for an unknown service ID; older versions answered 500 "Unknown service". */
function isUnknownService(err: unknown): boolean {
  const status = consulStatus(err);
  if (status === 404) return true;
  const body = (err as { response?: { body?: unknown } }).response?.body;
  return status === 500 && /unknown service/i.test(String(body ?? ''));
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
