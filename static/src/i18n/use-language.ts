import { useEffect, useState } from 'preact/hooks';
import { language, onLanguageChanged, type Language } from './index';

/** The current language; re-renders the caller (and so its subtree) when it changes. */
export function useLanguage(): Language {
  const [lang, setLang] = useState(language());
  useEffect(() => onLanguageChanged(() => setLang(language())), []);
  return lang;
}
