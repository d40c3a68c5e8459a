import { Resolver } from 'node:dns/promises';
import { startDnsServer, type DnsServer } from './dns-server';

describe('startDnsServer', () => {
  let dns: DnsServer;
  let resolver: Resolver;

  beforeEach(async () => {
    dns = await startDnsServer({ host: '127.0.0.1' });
    resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
  });
  afterEach(() => dns.close());

  it('answers a name it was given, case-insensitively, and forgets a deleted one', async () => {
    dns.set('im-1', '127.0.0.2');
    await expect(resolver.resolve4('IM-1')).resolves.toEqual(['127.0.0.2']);
    dns.set('im-1', '127.0.0.3');
    await expect(resolver.resolve4('im-1.')).resolves.toEqual(['127.0.0.3']);
    dns.delete('im-1');
    await expect(resolver.resolve4('im-1')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('says NXDOMAIN for an unknown name and NODATA for another type of a known one', async () => {
    dns.set('gateway', '127.0.0.4');
    await expect(resolver.resolve4('nobody')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve6('gateway')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('answers every address of a name given several, one A record each', async () => {
    dns.set('gateway', ['127.0.0.4', '127.0.0.5']);
    expect((await resolver.resolve4('gateway')).sort()).toEqual(['127.0.0.4', '127.0.0.5']);
  });

  it('lists every name asked, known or not, so a test can tell a name was never looked up', async () => {
    dns.set('gateway', '127.0.0.4');
    await resolver.resolve4('Gateway');
    await expect(resolver.resolve4('nobody')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.queries()).toEqual(['gateway', 'nobody']);
  });

  it('refuses an address that is not IPv4', () => {
    expect(() => dns.set('x', 'not-an-ip')).toThrow(/not an IPv4 address/);
  });
});
