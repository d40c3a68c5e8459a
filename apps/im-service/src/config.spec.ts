import { isPathSafeNodeId } from '@parley/domain';
import { loadImConfig } from './config';

const BASE = {
  PARLEY_JWT_SECRET: 'Zq8#vLr2!pW9xTk4$Nm7@Hs3^Jd6&Bf1*Gc5',
  PARLEY_CLUSTER_SECRET: 'Yp7#uKq1!oV8wSj3$Ml6@Gr2^Ic5&Ae0*Fb4',
  PARLEY_REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('IM node config: discovery', () => {
  it('watches gateways in Consul when discovery is consul and PARLEY_GATEWAYS is unset', () => {
    const config = loadImConfig(BASE);
    expect(config.discovery).toBe('consul');
    expect(config.gatewaySource).toEqual({ kind: 'consul' });
    expect(config.PARLEY_CONSUL_GATEWAY_SERVICE).toBe('parley-gateway');
    expect(loadImConfig({ ...BASE, PARLEY_CONSUL_GATEWAY_SERVICE: 'relays' }).PARLEY_CONSUL_GATEWAY_SERVICE).toBe('relays');
  });

  it('keeps a fixed gateway list when PARLEY_GATEWAYS is set, and defaults it to 127.0.0.1:50051 in static mode', () => {
    expect(loadImConfig({ ...BASE, PARLEY_GATEWAYS: 'gw-1:50051, gw-2:50051' }).gatewaySource).toEqual({
      kind: 'static',
      addresses: ['gw-1:50051', 'gw-2:50051'],
    });
    expect(loadImConfig({ ...BASE, PARLEY_DISCOVERY: 'static' }).gatewaySource).toEqual({ kind: 'static', addresses: ['127.0.0.1:50051'] });
  });

  it('calls no discovery `static`, and takes the old name `none` with a deprecation warning', () => {
    const modern = loadImConfig({ ...BASE, PARLEY_DISCOVERY: 'static' });
    expect(modern.discovery).toBe('static');
    expect(modern.warnings).toEqual([]);
    const legacy = loadImConfig({ ...BASE, PARLEY_DISCOVERY: 'none' });
    expect(legacy.discovery).toBe('static');
    expect(legacy.warnings).toEqual([expect.stringMatching(/PARLEY_DISCOVERY=none is deprecated.*static/)]);
  });

  it('refuses consul discovery without PARLEY_REDIS_URL, naming it; warns in static mode', () => {
    const { PARLEY_REDIS_URL: _redis, ...withoutRedis } = BASE;
    expect(() => loadImConfig(withoutRedis)).toThrow(/PARLEY_REDIS_URL: required with PARLEY_DISCOVERY=consul/);
    const single = loadImConfig({ ...withoutRedis, PARLEY_DISCOVERY: 'static' });
    expect(single.warnings).toEqual([expect.stringMatching(/no PARLEY_REDIS_URL/)]);
  });
});

describe('IM node config: advertised host', () => {
  it('takes PARLEY_ADVERTISE_HOST and refuses a wildcard there', () => {
    expect(loadImConfig({ ...BASE, PARLEY_HOST: '0.0.0.0', PARLEY_ADVERTISE_HOST: 'im-3' }).PARLEY_ADVERTISE_HOST).toBe('im-3');
    expect(() => loadImConfig({ ...BASE, PARLEY_ADVERTISE_HOST: '0.0.0.0' })).toThrow(/PARLEY_ADVERTISE_HOST/);
  });

  it('waits 60 s for the database by default, and takes 0 (fail at once)', () => {
    expect(loadImConfig(BASE).PARLEY_STORE_WAIT_SEC).toBe(60);
    expect(loadImConfig({ ...BASE, PARLEY_STORE_WAIT_SEC: '0' }).PARLEY_STORE_WAIT_SEC).toBe(0);
    expect(() => loadImConfig({ ...BASE, PARLEY_STORE_WAIT_SEC: '-1' })).toThrow(/PARLEY_STORE_WAIT_SEC/);
  });
});

describe('IM node config: id', () => {
  it('defaults PARLEY_NODE_ID to im-<hostname>-<port> made one DNS label, the id a public entry routes', () => {
    const config = loadImConfig(BASE, 'node7.eu-west.example.com');
    expect(config.nodeId).toBe('im-node7-eu-west-example-com-9101');
    expect(isPathSafeNodeId(config.nodeId)).toBe(true);
    expect(config.warnings).toEqual([]);
    const long = loadImConfig({ ...BASE, PARLEY_PORT: '9102' }, `${'h'.repeat(70)}.internal`).nodeId;
    expect(isPathSafeNodeId(long)).toBe(true);
    expect(long.endsWith('-9102')).toBe(true);
  });

  it('starts with an explicit id the public entry cannot route (a dot), and warns that it cannot be reached through one', () => {
    const config = loadImConfig({ ...BASE, PARLEY_NODE_ID: 'im-0.parley-im' });
    expect(config.nodeId).toBe('im-0.parley-im');
    expect(config.warnings).toEqual([expect.stringMatching(/^PARLEY_NODE_ID im-0\.parley-im is not one DNS label.*public entry/)]);
    expect(loadImConfig({ ...BASE, PARLEY_NODE_ID: 'im-1' }).warnings).toEqual([]);
  });
});

describe('IM node config: metrics', () => {
  it('serves /metrics on the node port unless PARLEY_METRICS_PORT names a port of its own, which must be a port', () => {
    expect(loadImConfig(BASE).PARLEY_METRICS_PORT).toBeUndefined();
    expect(loadImConfig({ ...BASE, PARLEY_METRICS_PORT: '9464' }).PARLEY_METRICS_PORT).toBe(9464);
    expect(() => loadImConfig({ ...BASE, PARLEY_METRICS_PORT: 'nine' })).toThrow(/PARLEY_METRICS_PORT/);
    expect(() => loadImConfig({ ...BASE, PARLEY_METRICS_PORT: '70000' })).toThrow(/PARLEY_METRICS_PORT/);
  });
});
