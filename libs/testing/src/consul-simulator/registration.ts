import { asString, asStringRecord, lowerKeys, parseDuration } from './decode';
import { HttpError } from './http-io';
import type { CheckStatus, SimulatedCheck, SimulatedService } from './types';

/** Decoding and validation of an agent/service/register body into a service and its HTTP checks. */

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface CheckRegistration {
  def: SimulatedCheck;
  /** Whether the body gave a Status (otherwise a re-registered check keeps its current one). */
  explicitStatus: boolean;
}

/** A service as registered: the public service shape with its checks still to be scheduled. */
export interface ServiceRegistration extends Omit<SimulatedService, 'checks'> {
  checks: CheckRegistration[];
}

/**
 * Throws HttpError 400 on a body Consul would refuse. `authorize` runs as soon
 * as the service name is known, before the rest is validated, as in Consul.
 */
export function decodeRegistration(
  body: unknown,
  minCheckIntervalMs: number,
  authorize: (serviceName: string) => void,
): ServiceRegistration {
  const def = lowerKeys(body);
  const name = asString(def.name);
  if (!name) throw new HttpError(400, 'Missing service name');
  authorize(name);
  const id = asString(def.id) || name;
  const port = def.port === undefined ? 0 : Number(def.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HttpError(400, 'Invalid service port');
  const rawChecks = Array.isArray(def.checks) ? def.checks : def.check ? [def.check] : [];
  const checks = rawChecks.map((raw, i) =>
    decodeCheck(raw, id, name, rawChecks.length > 1 ? i + 1 : 0, minCheckIntervalMs),
  );
  return {
    id,
    name,
    address: asString(def.address),
    port,
    tags: Array.isArray(def.tags) ? def.tags.map(String) : [],
    meta: asStringRecord(def.meta),
    checks,
  };
}

function decodeCheck(
  raw: unknown,
  serviceId: string,
  serviceName: string,
  ordinal: number,
  minCheckIntervalMs: number,
): CheckRegistration {
  const c = lowerKeys(raw);
  const url = asString(c.http);
  if (!url) throw new HttpError(400, 'Invalid check: the simulator supports only HTTP checks');
  const intervalMs = parseDuration(c.interval);
  if (!intervalMs || intervalMs <= 0) throw new HttpError(400, 'Invalid check: HTTP checks require an Interval');
  const timeoutMs = c.timeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : parseDuration(c.timeout);
  if (timeoutMs === undefined) throw new HttpError(400, `Invalid check: bad Timeout ${String(c.timeout)}`);
  const deregister = c.deregistercriticalserviceafter;
  const deregisterMs = deregister === undefined ? undefined : parseDuration(deregister);
  if (deregister !== undefined && deregisterMs === undefined) {
    throw new HttpError(400, `Invalid check: bad DeregisterCriticalServiceAfter ${String(deregister)}`);
  }
  const status = asString(c.status);
  if (status && status !== 'passing' && status !== 'warning' && status !== 'critical') {
    throw new HttpError(400, `Invalid check status: "${status}"`);
  }
  const suffix = ordinal > 0 ? `:${ordinal}` : '';
  return {
    def: {
      checkId: asString(c.checkid) || `service:${serviceId}${suffix}`,
      name: asString(c.name) || `Service '${serviceName}' check`,
      // Consul starts checks critical unless registered with a Status.
      status: (status || 'critical') as CheckStatus,
      output: '',
      http: url,
      intervalMs: Math.max(intervalMs, minCheckIntervalMs),
      timeoutMs: timeoutMs || DEFAULT_CHECK_TIMEOUT_MS,
      deregisterCriticalServiceAfterMs: deregisterMs,
    },
    explicitStatus: Boolean(status),
  };
}
