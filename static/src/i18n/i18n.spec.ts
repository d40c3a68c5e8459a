import { describe, expect, it } from '@jest/globals';
import { en } from './en';
import { zh } from './zh';

// The module reads navigator/localStorage at load: import it after the test environment is what it is (Node: English).
import { initialLanguage, language, t } from './index';

describe('i18n', () => {
  it('defaults to the browser language (any Chinese region is zh), a saved choice wins', () => {
    expect(initialLanguage(null, ['zh-TW', 'en'])).toBe('zh');
    expect(initialLanguage(null, ['fr-FR'])).toBe('en');
    expect(initialLanguage(null, [])).toBe('en');
    expect(initialLanguage('en', ['zh-CN'])).toBe('en');
    expect(initialLanguage('de', ['zh-CN'])).toBe('zh'); // an unknown saved value is ignored
  });

  it('has every English key in Chinese, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(typeof zh[key]).toBe('string');
      expect([key, placeholders(zh[key])]).toEqual([key, placeholders(en[key])]);
    }
  });

  it('uses English in tests and pluralizes through i18next', () => {
    expect(language()).toBe('en');
    expect(t('chat.members', { count: 1 })).toBe('1 member');
    expect(t('chat.members', { count: 3 })).toBe('3 members');
    expect(t('list.unread', { count: 2 })).toBe('2 unread');
  });

  it('speaks Chinese when asked, plurals included', () => {
    expect(t('chat.members', { count: 3, lng: 'zh' })).toBe('3 位成员');
    expect(t('notify.newMessage', { lng: 'zh' })).toBe('新消息');
  });
});
