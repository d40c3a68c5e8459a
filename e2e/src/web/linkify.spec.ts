import { linkify, safeHref } from '../../../static/src/linkify';

describe('web client linkify (message text → text and safe links)', () => {
  it('links http and https URLs, leaving trailing punctuation as text', () => {
    expect(linkify('see https://example.com/a?b=1. and http://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ]);
  });

  it('never links other schemes and keeps markup as plain text', () => {
    const text = 'javascript:alert(1) <img src=x onerror=alert(1)> data:text/html,<b>x</b>';
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://ok.example/')).toBe('https://ok.example/');
  });
});
