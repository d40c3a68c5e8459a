import type { ConsumeOptions, Throttle, ThrottleFactory, ThrottleSpec } from '@parley/domain';
import { timedPort, type ParleyMetrics, type RoleLabels } from '@parley/observability';

export interface MeteredThrottlesOptions {
  /** The counters live in Redis (PARLEY_REDIS_URL): time each call in parley_redis_operation_duration_seconds. @default false */
  timeRedis?: boolean;
}

/**
 * The gateway's throttles (login, registration) with their refusals counted
 * in parley_rate_limited_total{limit=<throttle name>}: `register-ip`,
 * `login-ip`, `login-account-ip-gate`, `login-account-gate` (names fixed in
 * the guards, so the label is bounded). Each refused consume is one request
 * answered 429. With Redis behind them each call is also timed, as
 * `<throttle name>.<method>` (e.g. `login-ip.consume`).
 */
export function meteredThrottles(factory: ThrottleFactory, metrics: ParleyMetrics, role: RoleLabels, options: MeteredThrottlesOptions = {}): ThrottleFactory {
  return {
    create(spec: ThrottleSpec): Throttle {
      const created = factory.create(spec);
      const inner = options.timeRedis ? timedPort(created, metrics.redisDuration, role, { operationPrefix: `${spec.name}.` }) : created;
      const refused = metrics.rateLimited.labels({ ...role, limit: spec.name });
      return {
        consume: async (key: string, points?: number, consumeOptions?: ConsumeOptions) => {
          const decision = await inner.consume(key, points, consumeOptions);
          if (!decision.ok) refused.inc();
          return decision;
        },
        refund: (key, points) => inner.refund(key, points),
        peek: (key) => inner.peek(key),
        reset: (key) => inner.reset(key),
      };
    },
  };
}
