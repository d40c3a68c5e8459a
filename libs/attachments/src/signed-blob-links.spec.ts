import { SignedBlobLinks } from './signed-blob-links';

const SECRET = 'a-jwt-secret-of-enough-length-for-the-test-0123456789';
const links = new SignedBlobLinks(SECRET);
const NOW = 1_800_000_000_000;

describe('SignedBlobLinks', () => {
  it('signs an upload link for one upload until its expiry', () => {
    const url = new URL(links.uploadUrl('01UPLOAD', NOW + 1000), 'http://gw');
    expect(url.pathname).toBe('/api/uploads/01UPLOAD/content');
    const token = url.searchParams.get('t') ?? '';
    expect(links.verifyUpload('01UPLOAD', token, NOW)).toBe(true);
    expect(links.verifyUpload('01OTHER', token, NOW)).toBe(false);
    expect(links.verifyUpload('01UPLOAD', token, NOW + 1001)).toBe(false);
    expect(links.verifyUpload('01UPLOAD', token.replace(/^\d+/, String(NOW + 10_000_000)), NOW)).toBe(false);
    expect(links.verifyUpload('01UPLOAD', `${token}x`, NOW)).toBe(false);
    expect(links.verifyUpload('01UPLOAD', '', NOW)).toBe(false);
    expect(new SignedBlobLinks(`${SECRET}-other`).verifyUpload('01UPLOAD', token, NOW)).toBe(false);
  });

  it('signs a download link over its key, expiry and response headers: changing any breaks it', () => {
    const url = new URL(links.downloadUrl({ key: '01FILE', expiresAt: NOW + 1000, contentType: 'application/pdf', disposition: 'attachment', fileName: 'a "b".pdf' }), 'http://gw');
    expect(url.pathname).toBe('/api/blobs/01FILE');
    const query = Object.fromEntries(url.searchParams);
    expect(links.verifyDownload('01FILE', query, NOW)).toEqual({ key: '01FILE', contentType: 'application/pdf', disposition: 'attachment', fileName: 'a "b".pdf' });
    expect(links.verifyDownload('01FILE.thumb', query, NOW)).toBeNull();
    expect(links.verifyDownload('01FILE', query, NOW + 1001)).toBeNull();
    for (const [field, value] of [['ct', 'text/html'], ['cd', 'inline'], ['fn', 'x.html'], ['exp', String(NOW + 9e6)], ['sig', 'AAAA']]) {
      expect({ field, verified: links.verifyDownload('01FILE', { ...query, [field as string]: value }, NOW) }).toEqual({ field, verified: null });
    }
    expect(links.verifyDownload('01FILE', { ...query, cd: ['inline'] }, NOW)).toBeNull();
  });
});
