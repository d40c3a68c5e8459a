import type dns from 'node:dns';
import { checkPushEndpoint, guardedLookup, isNonPublicAddress, NonPublicAddressError, MAX_ENDPOINT_LENGTH } from './endpoint-policy';

const strict = { allowPrivate: false };
const lax = { allowPrivate: true };

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.127.255.255',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::7f00:1', 'not-an-address',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '142.250.74.206', '2607:f8b0:4004:800::200e', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('checkPushEndpoint', () => {
  it('accepts an https endpoint on a public name or address', () => {
    expect(checkPushEndpoint('https://fcm.googleapis.com/fcm/send/abc:def', strict)).toBeNull();
    expect(checkPushEndpoint('https://updates.push.services.mozilla.com/wpush/v2/gAAA', strict)).toBeNull();
    expect(checkPushEndpoint('https://8.8.8.8/push/1', strict)).toBeNull();
  });

  it.each([
    ['http://push.example.com/x', /https/],
    ['ftp://push.example.com/x', /https/],
    ['not a url', /not a URL/],
    ['https://user:pw@push.example.com/x', /credentials/],
    ['https://127.0.0.1/x', /public/],
    ['https://2130706433/x', /public/], // 127.0.0.1 in decimal: the URL parser normalises it
    ['https://0x7f.1/x', /public/],
    ['https://[::1]/x', /public/],
    ['https://[::ffff:169.254.169.254]/x', /public/],
    ['https://169.254.169.254/latest/meta-data', /public/],
    ['https://localhost/x', /public/],
    ['https://api.localhost./x', /public/],
    [`https://push.example.com/${'a'.repeat(MAX_ENDPOINT_LENGTH)}`, /longer/],
  ])('refuses %s', (endpoint, why) => {
    expect(checkPushEndpoint(endpoint, strict)).toMatch(why);
  });

  it('allows http and private addresses only when allowPrivate is on', () => {
    expect(checkPushEndpoint('http://127.0.0.1:8080/push/1', lax)).toBeNull();
    expect(checkPushEndpoint('https://192.168.1.10/push/1', lax)).toBeNull();
    expect(checkPushEndpoint('ftp://127.0.0.1/x', lax)).toMatch(/http/);
  });
});

describe('guardedLookup', () => {
  const lookupWith = (addresses: dns.LookupAddress[], options: dns.LookupOptions) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((resolve) =>
      guardedLookup(() => Promise.resolve(addresses))('push.example.com', options, (err, address, family) => resolve({ err, address, family })),
    );

  it('answers a public address in the shape asked for', async () => {
    const public4 = { address: '142.250.74.206', family: 4 };
    await expect(lookupWith([public4], {})).resolves.toEqual({ err: null, address: '142.250.74.206', family: 4 });
    await expect(lookupWith([public4], { all: true })).resolves.toMatchObject({ err: null, address: [public4] });
  });

  it('refuses a name with any non-public address (DNS rebinding)', async () => {
    const { err } = await lookupWith([{ address: '142.250.74.206', family: 4 }, { address: '127.0.0.1', family: 4 }], {});
    expect(err).toBeInstanceOf(NonPublicAddressError);
  });

  it('passes resolution errors on', async () => {
    const failing = guardedLookup(() => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })));
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => failing('x.invalid', {}, (e) => resolve(e)));
    expect(err?.code).toBe('ENOTFOUND');
  });
});
