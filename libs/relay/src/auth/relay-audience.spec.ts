import { isLoopbackPeer, normalizeAudience, RelayAudiences } from './relay-audience';

describe('relay audiences', () => {
  it('spells one relay address one way, and refuses what is not host:port', () => {
    expect(normalizeAudience('GW-1.Parley.Internal:50051')).toBe('gw-1.parley.internal:50051');
    expect(normalizeAudience('[FD00:0:0::2]:50051')).toBe('[fd00::2]:50051');
    expect(normalizeAudience('10.9.0.11:080')).toBe('10.9.0.11:80');
    expect(normalizeAudience('127.1:7000')).toBe('127.0.0.1:7000');
    for (const bad of ['gw-1', 'gw-1:0', 'gw-1:70000', 'fd00::2:50051', 'http://gw-1:50051', 'a b:1', 'gw-1:50051/x', `${'a'.repeat(300)}:1`]) {
      expect(normalizeAudience(bad)).toBeUndefined();
    }
  });

  it('names the advertised host, a bind host that is not a wildcard, and the explicit list on the relay port', () => {
    const audiences = new RelayAudiences({ port: 50051, bindHost: '0.0.0.0', advertiseHost: '10.9.0.11', extra: ['Relay.Example.com:443'] });
    const from = '10.9.0.12:40000';
    expect(audiences.accepts('10.9.0.11:50051', from)).toBe(true);
    expect(audiences.accepts('relay.example.com:443', from)).toBe(true);
    expect(audiences.accepts('0.0.0.0:50051', from)).toBe(false);
    expect(audiences.accepts('10.9.0.11:50052', from)).toBe(false);
    expect(audiences.accepts('10.9.0.13:50051', from)).toBe(false);
    const bound = new RelayAudiences({ port: 7000, bindHost: 'gw-2.internal', advertiseHost: 'gw-2' });
    expect(bound.accepts('gw-2.internal:7000', from)).toBe(true);
    expect(bound.accepts('gw-2:7000', from)).toBe(true);
  });

  it('takes loopback names on its relay port from loopback peers only, unless listed explicitly', () => {
    const audiences = new RelayAudiences({ port: 7000, bindHost: '127.0.0.1', advertiseHost: 'localhost' });
    for (const loopback of ['127.0.0.1:7000', 'localhost:7000', '[::1]:7000']) {
      for (const peer of ['127.0.0.1:40000', '::1:40000', '::ffff:127.0.0.1:40000']) expect(audiences.accepts(loopback, peer)).toBe(true);
      // A node that dialed loopback connects from loopback: from elsewhere, the proof was carried here.
      expect(audiences.accepts(loopback, '10.9.0.12:40000')).toBe(false);
      expect(audiences.accepts(loopback, 'unknown')).toBe(false);
    }
    expect(audiences.accepts('127.0.0.1:7001', '127.0.0.1:40000')).toBe(false);
    // A published container port: the operator says which loopback name arrives from the bridge.
    const published = new RelayAudiences({ port: 7000, bindHost: '0.0.0.0', advertiseHost: 'gw-1', extra: ['127.0.0.1:17000'] });
    expect(published.accepts('127.0.0.1:17000', '172.17.0.1:40000')).toBe(true);
    expect(published.accepts('127.0.0.1:7000', '172.17.0.1:40000')).toBe(false);
  });

  it('refuses to be built from a name that is not host:port, naming it', () => {
    expect(() => new RelayAudiences({ port: 7000, bindHost: '0.0.0.0', extra: ['gw-1'] })).toThrow(/"gw-1".*not host:port/);
    expect(() => new RelayAudiences({ port: 7000, bindHost: '0.0.0.0', advertiseHost: 'bad host' })).toThrow(/not host:port/);
  });

  it('tells loopback peers from others', () => {
    expect(isLoopbackPeer('127.0.0.1:1')).toBe(true);
    expect(isLoopbackPeer('127.8.9.1:1')).toBe(true);
    expect(isLoopbackPeer('::1:1')).toBe(true);
    expect(isLoopbackPeer('::ffff:127.0.0.1:1')).toBe(true);
    expect(isLoopbackPeer('::ffff:10.0.0.1:1')).toBe(false);
    expect(isLoopbackPeer('10.0.0.1:1')).toBe(false);
    expect(isLoopbackPeer('fd00::1:1')).toBe(false);
    expect(isLoopbackPeer('unknown')).toBe(false);
  });
});
