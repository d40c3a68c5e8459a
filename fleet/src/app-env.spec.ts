import { gatewayEnv, nodeEnv, type FleetServices } from './app-env';

const services: FleetServices = {
  consulAddress: '10.9.0.4',
  consulPort: 8500,
  redisUrl: 'redis://10.9.0.3:6379',
  mysqlUrl: 'mysql://root@10.9.0.2:3306/parley',
  entryUrl: 'http://10.9.0.6',
  entryAddress: '10.9.0.6',
  jwtSecret: 'j'.repeat(64),
  clusterSecret: 'c'.repeat(43),
};

describe('the environment of a fleet app', () => {
  const gateway = gatewayEnv('gw-3', '10.9.0.11', services);
  const node = nodeEnv('im-3', '10.9.0.12', services);

  it('names no other gateway or node: a third one joins with nobody reconfigured', () => {
    const shared = ['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.6'];
    for (const [env, own] of [
      [gateway, '10.9.0.11'],
      [node, '10.9.0.12'],
    ] as const) {
      expect(env).not.toHaveProperty('PARLEY_GATEWAYS');
      expect(env).not.toHaveProperty('PARLEY_STATIC_NODES');
      const addresses = new Set(Object.values(env).join(' ').match(/10\.9\.0\.\d+/g));
      // Only the shared services and the app's own address.
      expect([...addresses].filter((a) => a !== own && !shared.includes(a))).toEqual([]);
      expect(addresses).toContain(own);
    }
  });

  it('binds everywhere, advertises its own address and discovers through Consul', () => {
    expect(gateway).toMatchObject({ PARLEY_HOST: '0.0.0.0', PARLEY_RELAY_HOST: '0.0.0.0', PARLEY_ADVERTISE_HOST: '10.9.0.11', PARLEY_DISCOVERY: 'consul' });
    expect(node).toMatchObject({ PARLEY_HOST: '0.0.0.0', PARLEY_ADVERTISE_HOST: '10.9.0.12', PARLEY_DISCOVERY: 'consul', PARLEY_PORT: '9101' });
    expect(gateway.PARLEY_PUBLIC_ENTRY).toBe('http://10.9.0.6');
  });
});
