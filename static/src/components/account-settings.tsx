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
    <section class="stack account" aria-label="Account" data-testid="account-settings">
      <h3>Account</h3>
      <div class="row wrap">
        <button type="button" onClick={() => toggle('password')} aria-expanded={open === 'password'}>
          Change password
        </button>
        <button type="button" disabled={busy} onClick={() => void attempt(() => store.account.logout())}>
          Sign out
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => confirm('Sign out on every device, this one included?') && void attempt(() => store.account.logoutEverywhere())}
        >
          Sign out everywhere
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
          Delete account…
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
    if (next.length < MIN_PASSWORD) return onError(`The new password needs at least ${MIN_PASSWORD} characters.`);
    if (next !== again) return onError('The two new passwords are not the same.');
    if (next === current) return onError('The new password is the same as the current one.');
    if (await onSubmit(current, next)) {
      setCurrent('');
      setNext('');
      setAgain('');
      onDone('Password changed. Your other devices were signed out.');
    }
  };

  return (
    <form class="stack" aria-label="Change password" onSubmit={(e) => void submit(e)}>
      <label>
        Current password
        <input name="currentPassword" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </label>
      <label>
        New password
        <input name="newPassword" type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </label>
      <label>
        Repeat new password
        <input name="newPasswordAgain" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
      </label>
      <p class="hint">At least {MIN_PASSWORD} characters, not a common password and not your username. Your other devices will be signed out.</p>
      <div class="row end">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
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
    <form class="stack" aria-label="Delete account" onSubmit={submit}>
      <p class="warning" role="note">
        This deletes your account for good: your profile goes, your friends and groups lose you, and every device is signed out. It cannot be
        undone.
      </p>
      <label>
        Your password, to confirm
        <input name="deletePassword" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <div class="row end">
        <button type="submit" class="danger" disabled={busy || !password}>
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
      </div>
    </form>
  );
}
