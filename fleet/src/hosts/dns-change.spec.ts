import { parseDnsChange } from './dns-change';

describe('fleet DNS control requests', () => {
  it('set a name to one or more IPv4 addresses, or delete it', () => {
    expect(parseDnsChange('PUT', '/names/gateway', '{"addresses":["10.1.2.3","10.1.2.4"]}')).toEqual({
      kind: 'set',
      name: 'gateway',
      addresses: ['10.1.2.3', '10.1.2.4'],
    });
    expect(parseDnsChange('DELETE', '/names/im-2', '')).toEqual({ kind: 'delete', name: 'im-2' });
  });

  it('refuse anything else', () => {
    expect(() => parseDnsChange('PUT', '/names/im-1', '{"addresses":[]}')).toThrow(/at least one/);
    expect(() => parseDnsChange('PUT', '/names/im-1', '{"addresses":["::1"]}')).toThrow(/IPv4/);
    expect(() => parseDnsChange('POST', '/names/im-1', '{"addresses":["10.0.0.1"]}')).toThrow(/not allowed/);
    expect(() => parseDnsChange('GET', '/other', '')).toThrow(/not a name path/);
  });
});
