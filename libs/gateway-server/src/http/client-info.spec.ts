import { clientKey } from './client-info';

describe('clientKey: the address per-address limits count under', () => {
  it('keeps IPv4 as it is, also when it arrives IPv4-mapped on a dual-stack socket', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('gives every address of one /64 the same key, so rotating through it earns no fresh allowance', () => {
    const attacker = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:1234:5678:9abc:def0', '2001:db8:1:2::1%eth0'];
    const keys = new Set(attacker.map((a) => clientKey(a)));
    expect([...keys]).toEqual(['2001:db8:1:2:0:0:0:0/64']);
    // The next /64 is another client.
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3:0:0:0:0/64');
  });

  it('takes the prefix length it is configured with (PARLEY_IPV6_PREFIX)', () => {
    expect(clientKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1:0:0:0:0:0/48');
    expect(clientKey('2001:db8:1:2::1', 56)).toBe(clientKey('2001:db8:1:ff::1', 56));
    expect(clientKey('2001:db8:1:2::1', 56)).not.toBe(clientKey('2001:db8:1:100::1', 56));
    expect(clientKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(clientKey('::1')).toBe('0:0:0:0:0:0:0:0/64');
  });

  it('keeps what is not an address as it is', () => {
    expect(clientKey('unknown')).toBe('unknown');
  });
});
