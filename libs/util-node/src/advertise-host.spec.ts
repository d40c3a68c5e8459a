import { advertiseEnv, advertiseHostOf, hostPort, isWildcardHost } from './advertise-host';
import { parseEnvConfig } from './env-config';

describe('advertised host', () => {
  const hostname = () => 'im-7.parley.internal';

  it('is PARLEY_ADVERTISE_HOST when set, whatever the bind address', () => {
    expect(advertiseHostOf('0.0.0.0', '10.0.0.7', hostname)).toBe('10.0.0.7');
    expect(advertiseHostOf('127.0.0.1', 'im-7', hostname)).toBe('im-7');
  });

  it('is the bind host when that is a real address, and the hostname when it is a wildcard', () => {
    expect(advertiseHostOf('127.0.0.1', undefined, hostname)).toBe('127.0.0.1');
    expect(advertiseHostOf('10.1.2.3', undefined, hostname)).toBe('10.1.2.3');
    for (const wildcard of ['0.0.0.0', '::', '[::]']) expect(advertiseHostOf(wildcard, undefined, hostname)).toBe('im-7.parley.internal');
  });

  it('is never a wildcard: a wildcard PARLEY_ADVERTISE_HOST is refused naming the variable', () => {
    expect(() => parseEnvConfig(advertiseEnv, { PARLEY_ADVERTISE_HOST: '0.0.0.0' })).toThrow(/PARLEY_ADVERTISE_HOST: a wildcard/);
    expect(() => parseEnvConfig(advertiseEnv, { PARLEY_ADVERTISE_HOST: '::' })).toThrow(/PARLEY_ADVERTISE_HOST/);
    expect(() => advertiseHostOf('0.0.0.0', undefined, () => '0.0.0.0')).toThrow(/PARLEY_ADVERTISE_HOST/);
    expect(parseEnvConfig(advertiseEnv, { PARLEY_ADVERTISE_HOST: ' gw-2 ' }).PARLEY_ADVERTISE_HOST).toBe('gw-2');
  });

  it('knows the wildcards, and writes IPv6 literals in brackets in host:port', () => {
    expect(isWildcardHost('0.0.0.0')).toBe(true);
    expect(isWildcardHost('::')).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
    expect(hostPort('10.0.0.2', 50051)).toBe('10.0.0.2:50051');
    expect(hostPort('fd00::2', 50051)).toBe('[fd00::2]:50051');
    expect(hostPort('[fd00::2]', 50051)).toBe('[fd00::2]:50051');
  });
});
