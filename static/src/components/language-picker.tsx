import { LANGUAGES, language, setLanguage, t } from '../i18n';

/** The page's language, saved in this browser; everything re-renders in it at once. */
export function LanguagePicker() {
  const current = language();
  return (
    <fieldset class="choice" data-testid="language-picker">
      <legend>{t('profile.language')}</legend>
      <div class="row">
        {LANGUAGES.map(({ code, label }) => (
          <label key={code} lang={code === 'zh' ? 'zh-CN' : 'en'}>
            <input type="radio" name="language" value={code} data-testid={`language-${code}`} checked={current === code} onChange={() => void setLanguage(code)} /> {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
