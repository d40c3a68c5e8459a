import { DEFAULT_LOGIN_LIMITS, DEFAULT_REGISTRATION_LIMITS } from '@parley/domain';
import { limitsOf, loadGatewayConfig } from './config';

const BASE = { PARLEY_JWT_SECRET: 'Zq8#vLr2!pW9xTk4$Nm7@Hs3^Jd6&Bf1*Gc5', PARLEY_CLUSTER_SECRET: 'Yp7#uKq1!oV8wSj3$Ml6@Gr2^Ic5&Ae0*Fb4' };

describe('gateway config: limits', () => {
  it('trusts no proxy by default, so a client cannot name its own address with X-Forwarded-For', () => {
    expect(loadGatewayConfig(BASE).PARLEY_TRUST_PROXY).toBe(false);
  });

  it('reads PARLEY_TRUST_PROXY as a hop count or a list of proxy addresses, CIDRs and range names', () => {
    expect(loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: '1' }).PARLEY_TRUST_PROXY).toBe(1);
    expect(loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).PARLEY_TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: 'uniquelocal,linklocal,192.0.2.10,2001:db8::/32' }).PARLEY_TRUST_PROXY).toBe(
      'uniquelocal,linklocal,192.0.2.10,2001:db8::/32',
    );
  });

  it('refuses PARLEY_TRUST_PROXY=true (the client writes the left-most X-Forwarded-For entry) and entries that are not proxies', () => {
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: 'true' })).toThrow(/PARLEY_TRUST_PROXY.*X-Forwarded-For/s);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: 'loopback,nginx' })).toThrow(/PARLEY_TRUST_PROXY.*nginx/s);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/PARLEY_TRUST_PROXY/);
  });

  it('keys IPv6 clients on their /64 by default, and takes another prefix length', () => {
    expect(loadGatewayConfig(BASE).PARLEY_IPV6_PREFIX).toBe(64);
    expect(loadGatewayConfig({ ...BASE, PARLEY_IPV6_PREFIX: '56' }).PARLEY_IPV6_PREFIX).toBe(56);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_IPV6_PREFIX: '129' })).toThrow(/PARLEY_IPV6_PREFIX/);
  });

  it('defaults the login and registration limits to the documented ones and takes overrides', () => {
    expect(limitsOf(loadGatewayConfig(BASE))).toEqual({ login: DEFAULT_LOGIN_LIMITS, registration: DEFAULT_REGISTRATION_LIMITS });
    const tuned = limitsOf(loadGatewayConfig({ ...BASE, PARLEY_REGISTER_PER_IP: '3', PARLEY_LOGIN_BACKOFF_MAX_SEC: '60' }));
    expect(tuned.registration.perIp).toBe(3);
    expect(tuned.login.backoffMaxSec).toBe(60);
  });

  it('refuses a limit that is not a positive whole number, and a Redis URL of another scheme', () => {
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_REGISTER_PER_IP: '0' })).toThrow(/PARLEY_REGISTER_PER_IP/);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_LOGIN_IP_FAILURES: 'lots' })).toThrow(/PARLEY_LOGIN_IP_FAILURES/);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_REDIS_URL: 'http://redis:6379' })).toThrow(/PARLEY_REDIS_URL/);
  });
});

describe('gateway config: token lifetimes', () => {
  it('gives access tokens minutes and refresh tokens 30 days by default', () => {
    const config = loadGatewayConfig(BASE);
    expect(config.PARLEY_JWT_TTL_SECONDS).toBe(900);
    expect(config.PARLEY_REFRESH_TTL_SECONDS).toBe(30 * 86_400);
  });

  it('refuses an access-token lifetime over a day, and takes one within it', () => {
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_JWT_TTL_SECONDS: String(2 * 86_400) })).toThrow(/PARLEY_JWT_TTL_SECONDS/);
    expect(loadGatewayConfig({ ...BASE, PARLEY_JWT_TTL_SECONDS: '3600' }).PARLEY_JWT_TTL_SECONDS).toBe(3600);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_REFRESH_TTL_SECONDS: '10' })).toThrow(/PARLEY_REFRESH_TTL_SECONDS/);
  });
});

describe('gateway config: discovery and advertised host', () => {
  it('registers under parley-gateway by default, and takes another service name', () => {
    expect(loadGatewayConfig(BASE).PARLEY_CONSUL_GATEWAY_SERVICE).toBe('parley-gateway');
    expect(loadGatewayConfig({ ...BASE, PARLEY_CONSUL_GATEWAY_SERVICE: 'relays' }).PARLEY_CONSUL_GATEWAY_SERVICE).toBe('relays');
  });

  it('calls no discovery `static` (not `none`)', () => {
    expect(loadGatewayConfig({ ...BASE, PARLEY_DISCOVERY: 'static' }).PARLEY_DISCOVERY).toBe('static');
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_DISCOVERY: 'none' })).toThrow(/PARLEY_DISCOVERY/);
  });

  it('takes PARLEY_ADVERTISE_HOST and refuses a wildcard there', () => {
    expect(loadGatewayConfig({ ...BASE, PARLEY_HOST: '0.0.0.0', PARLEY_ADVERTISE_HOST: '10.0.0.11' }).PARLEY_ADVERTISE_HOST).toBe('10.0.0.11');
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_ADVERTISE_HOST: '::' })).toThrow(/PARLEY_ADVERTISE_HOST: a wildcard/);
  });

  it('waits for the database 60 s by default', () => {
    expect(loadGatewayConfig(BASE).PARLEY_STORE_WAIT_SEC).toBe(60);
  });
});

describe('gateway config: public entry', () => {
  it('has none by default, and keeps the origin of an http(s) entry', () => {
    expect(loadGatewayConfig(BASE).PARLEY_PUBLIC_ENTRY).toBeUndefined();
    expect(loadGatewayConfig({ ...BASE, PARLEY_PUBLIC_ENTRY: 'https://chat.example.com/' }).PARLEY_PUBLIC_ENTRY).toBe('https://chat.example.com');
  });

  it('refuses an entry that is not an http(s) origin, naming the variable', () => {
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_PUBLIC_ENTRY: 'wss://chat.example.com' })).toThrow(/PARLEY_PUBLIC_ENTRY.*only http: and https:/s);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_PUBLIC_ENTRY: 'https://chat.example.com/chat' })).toThrow(/PARLEY_PUBLIC_ENTRY.*origin only/s);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_PUBLIC_ENTRY: 'chat.example.com' })).toThrow(/PARLEY_PUBLIC_ENTRY.*not a URL/s);
  });
});

describe('gateway config: id', () => {
  it('defaults PARLEY_GATEWAY_ID to gw-<hostname>-<port>, one DNS label, so two gateways on defaults never share one', () => {
    expect(loadGatewayConfig(BASE, 'edge-a').PARLEY_GATEWAY_ID).toBe('gw-edge-a-8080');
    expect(loadGatewayConfig({ ...BASE, PARLEY_PORT: '8081' }, 'edge-a').PARLEY_GATEWAY_ID).toBe('gw-edge-a-8081');
    expect(loadGatewayConfig(BASE, 'edge-b.example.com').PARLEY_GATEWAY_ID).toBe('gw-edge-b-example-com-8080');
  });

  it('keeps an explicit PARLEY_GATEWAY_ID as given', () => {
    expect(loadGatewayConfig({ ...BASE, PARLEY_GATEWAY_ID: 'gw-1' }, 'edge-a').PARLEY_GATEWAY_ID).toBe('gw-1');
    expect(loadGatewayConfig({ ...BASE, PARLEY_GATEWAY_ID: 'gw.eu.1' }, 'edge-a').PARLEY_GATEWAY_ID).toBe('gw.eu.1');
  });
});

describe('gateway config: metrics', () => {
  it('serves /metrics on the main port by default, and on PARLEY_METRICS_PORT when given (0: a free one)', () => {
    expect(loadGatewayConfig(BASE).PARLEY_METRICS_PORT).toBeUndefined();
    expect(loadGatewayConfig({ ...BASE, PARLEY_METRICS_PORT: '9464' }).PARLEY_METRICS_PORT).toBe(9464);
    expect(loadGatewayConfig({ ...BASE, PARLEY_METRICS_PORT: '0' }).PARLEY_METRICS_PORT).toBe(0);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_METRICS_PORT: '70000' })).toThrow(/PARLEY_METRICS_PORT/);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_METRICS_PORT: 'prometheus' })).toThrow(/PARLEY_METRICS_PORT/);
  });
});

describe('gateway config: admins', () => {
  it('reads PARLEY_ADMIN_USERS as a comma list of usernames (none by default), refusing an entry that is no username', () => {
    expect(loadGatewayConfig(BASE).PARLEY_ADMIN_USERS).toEqual([]);
    expect(loadGatewayConfig({ ...BASE, PARLEY_ADMIN_USERS: ' ann, Bob.ops ,' }).PARLEY_ADMIN_USERS).toEqual(['ann', 'Bob.ops']);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_ADMIN_USERS: 'ann,bob smith' })).toThrow(/PARLEY_ADMIN_USERS/);
  });

  it('takes a PARLEY_GATEWAY_ID of at most 128 characters (what the audit log records of it)', () => {
    expect(loadGatewayConfig({ ...BASE, PARLEY_GATEWAY_ID: 'g'.repeat(128) }).PARLEY_GATEWAY_ID).toHaveLength(128);
    expect(() => loadGatewayConfig({ ...BASE, PARLEY_GATEWAY_ID: 'g'.repeat(129) })).toThrow(/PARLEY_GATEWAY_ID/);
  });
});
