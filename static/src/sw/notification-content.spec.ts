import { describe, expect, it } from '@jest/globals';
import { notificationFor, safePath, workerLanguage } from './notification-content';

const base = { type: 'message', conversationId: 'g:team', messageId: 'm1', seq: 4, mention: false, url: '/?c=g%3Ateam' };

describe('the service worker notification', () => {
  it('shows the preview title and text, one notification per chat, opening its URL', () => {
    const shown = notificationFor(JSON.stringify({ ...base, title: 'Team', text: 'Ann: hi' }), 'en');
    expect(shown).toEqual({ title: 'Team', options: { body: 'Ann: hi', tag: 'g:team', renotify: true, data: { url: '/?c=g%3Ateam', conversationId: 'g:team' } } });
  });

  it('says "New message" in the chosen language without previews', () => {
    expect(notificationFor(JSON.stringify(base), 'en')?.title).toBe('New message');
    expect(notificationFor(JSON.stringify(base), 'zh')?.title).toBe('新消息');
    expect(notificationFor(JSON.stringify({ ...base, mention: true }), 'zh')?.options.body).toBe('有人提到了你');
  });

  it('shows nothing for a payload that is not a Parley message', () => {
    expect(notificationFor('not json', 'en')).toBeUndefined();
    expect(notificationFor(undefined, 'en')).toBeUndefined();
    expect(notificationFor(JSON.stringify({ type: 'other' }), 'en')).toBeUndefined();
  });

  it('follows only same-origin paths (a lying payload cannot send the click elsewhere)', () => {
    expect(safePath('/?c=d%3Aa')).toBe('/?c=d%3Aa');
    for (const bad of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', 42]) expect(safePath(bad)).toBe('/');
    expect(notificationFor(JSON.stringify({ ...base, url: 'https://evil.example/' }), 'en')?.options.data.url).toBe('/');
  });

  it('uses the saved language, else the browser language', () => {
    expect(workerLanguage('zh', 'en-US')).toBe('zh');
    expect(workerLanguage(undefined, 'zh-CN')).toBe('zh');
    expect(workerLanguage(undefined, undefined)).toBe('en');
  });
});
