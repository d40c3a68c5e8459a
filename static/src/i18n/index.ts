import i18next, { type TOptions } from 'i18next';
import { en } from './en';
import { zh } from './zh';

export type Language = 'en' | 'zh';
export const LANGUAGES: readonly { code: Language; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'zh', label: '中文' },
];
/** Where the page keeps the chosen language. */
const STORAGE_KEY = 'parley.language';
/** The BCP 47 tag Intl formats dates with, per language. */
const LOCALE: Record<Language, string> = { en: 'en-GB', zh: 'zh-CN' };

/** The saved choice, else the browser's language (Chinese of any region: zh), else English. */
export function initialLanguage(saved: string | null | undefined, browser: readonly string[]): Language {
  if (saved === 'en' || saved === 'zh') return saved;
  const first = browser[0]?.toLowerCase() ?? 'en';
  return first.startsWith('zh') ? 'zh' : 'en';
}

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled, or not a browser
  }
}

const browserLanguages = (): readonly string[] => (typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]));

// One instance for the page, created synchronously (resources are bundled): the first render is already translated.
const i18n = i18next.createInstance();
void i18n.init({
  lng: initialLanguage(readSaved(), browserLanguages()),
  fallbackLng: 'en',
  resources: { en: { translation: en }, zh: { translation: zh } },
  interpolation: { escapeValue: false }, // preact escapes text
  initAsync: false,
});

/** A translated string (plurals: pass `count`). */
export function t(key: keyof typeof en | (string & {}), options?: TOptions): string {
  return i18n.t(key, options);
}

export function language(): Language {
  return i18n.language === 'zh' ? 'zh' : 'en';
}

/** The locale dates and times are formatted in. */
export function locale(): string {
  return LOCALE[language()];
}

/** Switches the language, remembers it for this browser, and tells the service worker (its "New message"). */
export async function setLanguage(lang: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not saved: still switched for this page
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  await i18n.changeLanguage(lang);
  await rememberForWorker(lang);
}

/** The service worker has no localStorage: the language goes into a cache entry it reads. */
export async function rememberForWorker(lang: Language = language()): Promise<void> {
  try {
    const cache = await caches.open('parley-settings');
    await cache.put('/__parley/language', new Response(lang, { headers: { 'content-type': 'text/plain' } }));
  } catch {
    // no Cache API (insecure context): the worker falls back to the browser's language
  }
}

/** Calls `listener` after each language change; returns how to stop. */
export function onLanguageChanged(listener: () => void): () => void {
  i18n.on('languageChanged', listener);
  return () => i18n.off('languageChanged', listener);
}
