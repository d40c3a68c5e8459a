import { t } from '../i18n';
import { useState } from 'preact/hooks';
import { describeAccountError } from '../describe-error';
import type { ChatStore } from '../store';

interface Props {
  store: ChatStore;
}

type Open = 'password' | 'delete' | undefined;

/** Smallest length the server takes (it names any other rule it applies when it refuses). */
const MIN_PASSWORD = 8;

/**
 * The account itself: change the password (other devices are signed out),
 * sign out here or everywhere, delete the account. Each says plainly what it
 * does before and after; the server's refusal is shown in place.
 */
export function AccountSettings({ store }: Props) {
  const [open, setOpen] = useState<Open>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const toggle = (next: Open) => {
    setOpen(open === next ? undefined : next);
    setError(undefined);
    setDone(undefined);
  };

  /** Runs an account action, showing its failure here; resolves whether it worked. */
  const attempt = async (action: () => Promise<void>): Promise<boolean> => {
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      await action();
      return true;
    } catch (err) {
      setError(describeAccountError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="stack account" aria-label={t('account.title')} data-testid="account-settings">
      <h3>{t('account.title')}</h3>
      <div class="row wrap">
        <button type="button" onClick={() => toggle('password')} aria-expanded={open === 'password'}>
          {t('account.changePassword')}
        </button>
        <button type="button" disabled={busy} onClick={() => void attempt(() => store.account.logout())}>
          {t('account.signOut')}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => confirm(t('account.signOutEverywhereConfirm')) && void attempt(() => store.account.logoutEverywhere())}
        >
          {t('account.signOutEverywhere')}
        </button>
      </div>
      {open === 'password' && <ChangePasswordForm busy={busy} onSubmit={(current, next) => attempt(() => store.account.changePassword(current, next))} onDone={setDone} onError={setError} />}
      <p class="error" role="alert" data-testid="account-error">
        {error}
      </p>
      {done && (
        <p class="success" role="status" data-testid="account-done">
          {done}
        </p>
      )}
      <div class="stack danger-zone">
        <button type="button" class="danger" onClick={() => toggle('delete')} aria-expanded={open === 'delete'}>
          {t('account.deleteOpen')}
        </button>
        {open === 'delete' && <DeleteAccountForm busy={busy} onSubmit={(password) => attempt(() => store.account.deleteAccount(password))} />}
      </div>
    </section>
  );
}

function ChangePasswordForm({
  busy,
  onSubmit,
  onDone,
  onError,
}: {
  busy: boolean;
  onSubmit: (current: string, next: string) => Promise<boolean>;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (next.length < MIN_PASSWORD) return onError(t('account.tooShort', { min: MIN_PASSWORD }));
    if (next !== again) return onError(t('account.mismatch'));
    if (next === current) return onError(t('account.same'));
    if (await onSubmit(current, next)) {
      setCurrent('');
      setNext('');
      setAgain('');
      onDone(t('account.changed'));
    }
  };

  return (
    <form class="stack" aria-label={t('account.changePassword')} onSubmit={(e) => void submit(e)}>
      <label>
        {t('account.current')}
        <input name="currentPassword" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label>
        {t('account.new')}
        <input name="newPassword" type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </label>
      <label>
        {t('account.repeat')}
        <input name="newPasswordAgain" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </label>
      <p class="hint">{t('account.hint', { min: MIN_PASSWORD })}</p>
      <div class="row end">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('account.changing') : t('account.changePassword')}
        </button>
      </div>
    </form>
  );
}

function DeleteAccountForm({ busy, onSubmit }: { busy: boolean; onSubmit: (password: string) => Promise<boolean> }) {
  const [password, setPassword] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    void onSubmit(password);
  };
  return (
    <form class="stack" aria-label={t('account.delete')} onSubmit={submit}>
      <p class="warning" role="note">
        {t('account.deleteWarning')}
      </p>
      <label>
        {t('account.confirmPassword')}
        <input name="deletePassword" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <div class="row end">
        <button type="submit" class="danger" disabled={busy || !password}>
          {busy ? t('account.deleting') : t('account.deleteMine')}
        </button>
      </div>
    </form>
  );
}
