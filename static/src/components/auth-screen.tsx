import { t } from '../i18n';
import { useState } from 'preact/hooks';
import { ParleyClient } from '@parley/client';
import { USERNAME_PATTERN, type AuthResult } from '@parley/protocol';
import { describeAuthError } from '../describe-error';

interface Props {
  gatewayUrl: string;
  notice?: string;
  onSignedIn: (session: AuthResult) => void;
}

/** Sign in or create an account; errors are said plainly next to the form. */
export function AuthScreen({ gatewayUrl, notice, onSignedIn }: Props) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (mode === 'register') {
      if (!USERNAME_PATTERN.test(username)) return setError(t('auth.badUsername'));
      if (password.length < 8) return setError(t('auth.shortPassword'));
    }
    setBusy(true);
    try {
      const client = new ParleyClient({ gatewayUrl });
      const session =
        mode === 'login'
          ? await client.login(username.trim(), password)
          : await client.register(username.trim(), password, displayName.trim() || undefined);
      onSignedIn(session);
    } catch (err) {
      setError(describeAuthError(err));
      setBusy(false);
    }
  };

  const switchTo = (next: 'login' | 'register') => {
    setMode(next);
    setError(undefined);
  };

  return (
    <div class="auth">
      <div class="auth-card">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <h1>Parley</h1>
        </div>
        <p class="tagline">{t('auth.tagline')}</p>
        {notice && (
          <p class="notice" role="status" data-testid="auth-notice">
            {notice}
          </p>
        )}
        <div class="tabs" role="tablist">
          <button role="tab" type="button" aria-selected={mode === 'login'} onClick={() => switchTo('login')}>
            {t('auth.signIn')}
          </button>
          <button role="tab" type="button" aria-selected={mode === 'register'} onClick={() => switchTo('register')}>
            {t('auth.createAccount')}
          </button>
        </div>
        <form onSubmit={(e) => void submit(e)} aria-label={mode === 'login' ? t('auth.signIn') : t('auth.createAccount')}>
          <label>
            {t('auth.username')}
            <input
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          {mode === 'register' && (
            <label>
              {t('auth.displayName')} <span class="muted">(optional)</span>
              <input name="displayName" autocomplete="nickname" maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
            </label>
          )}
          <label>
            {t('auth.password')}
            <input
              name="password"
              type="password"
              autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {mode === 'register' && <p class="hint">{t('auth.passwordHint')}</p>}
          <p class="error" role="alert" data-testid="auth-error">
            {error}
          </p>
          <button class="primary wide" type="submit" disabled={busy}>
            {busy ? t('auth.wait') : mode === 'login' ? t('auth.signIn') : t('auth.createAccount')}
          </button>
        </form>
      </div>
    </div>
  );
}
