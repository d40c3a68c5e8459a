import { useEffect, useState } from 'preact/hooks';
import type { UserSettings } from '@parley/protocol';
import { describe, type ChatStore, type State } from '../store';
import { AccountSettings } from './account-settings';
import { Avatar } from './avatar';
import { Modal } from './modal';

interface Props {
  store: ChatStore;
  state: State;
  onClose: () => void;
}

/** Edit display name, avatar URL and bio (PATCH /api/me); who may reach me; the account itself. */
export function ProfileDialog({ store, state, onClose }: Props) {
  const me = state.me;
  const [displayName, setDisplayName] = useState(me.displayName);
  const [avatarUrl, setAvatarUrl] = useState(me.avatarUrl ?? '');
  const [bio, setBio] = useState(me.bio ?? '');
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [settings, setSettings] = useState<UserSettings | undefined>();

  useEffect(() => {
    void store.run('settings:get', {}, true).then((r) => r && setSettings(r.settings));
  }, [store]);

  /** Shows the choice at once, then what the server kept (the old value if it refused). */
  const changeSetting = async (patch: Partial<UserSettings>) => {
    const previous = settings;
    if (previous) setSettings({ ...previous, ...patch });
    const r = await store.run('settings:update', patch);
    setSettings(r ? r.settings : previous);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    const url = avatarUrl.trim();
    if (url && !/^https:\/\//i.test(url)) return setError('The avatar must be an https:// address.');
    setBusy(true);
    try {
      await store.updateProfile({ displayName: displayName.trim(), avatarUrl: url || undefined, bio });
      setSaved(true);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Your profile" onClose={onClose} testId="profile-dialog">
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <div class="profile-hero">
          <Avatar id={me.id} name={displayName || me.username} url={avatarUrl || undefined} size="lg" />
          <span class="muted">@{me.username}</span>
          {state.operator && (
            <a class="ops-link" href="/admin" data-testid="admin-link">
              Ops console
            </a>
          )}
        </div>
        <label>
          Display name
          <input name="displayName" required maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <label>
          Avatar URL
          <input name="avatarUrl" type="url" inputMode="url" placeholder="https://…" maxLength={512} value={avatarUrl} onInput={(e) => setAvatarUrl(e.currentTarget.value)} />
        </label>
        <label>
          Bio
          <textarea name="bio" rows={3} maxLength={500} value={bio} onInput={(e) => setBio(e.currentTarget.value)} placeholder="A few words about you" />
        </label>
        <p class="error" role="alert">
          {error}
        </p>
        {saved && (
          <p class="success" role="status">
            Profile saved.
          </p>
        )}
        <div class="row end">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      {settings && (
        <div class="stack" data-testid="privacy-settings">
          <fieldset class="choice">
            <legend>Who can message you</legend>
            <label>
              <input type="radio" name="dmPolicy" checked={settings.dmPolicy === 'friends'} onChange={() => void changeSetting({ dmPolicy: 'friends' })} /> Friends only
            </label>
            <label>
              <input type="radio" name="dmPolicy" checked={settings.dmPolicy === 'anyone'} onChange={() => void changeSetting({ dmPolicy: 'anyone' })} /> Anyone
            </label>
          </fieldset>
          {settings.groupInvites && (
            <fieldset class="choice">
              <legend>Adding you to groups</legend>
              <label>
                <input type="radio" name="groupInvites" checked={settings.groupInvites === 'friends'} onChange={() => void changeSetting({ groupInvites: 'friends' })} />{' '}
                Friends add me directly; others ask first
              </label>
              <label>
                <input type="radio" name="groupInvites" checked={settings.groupInvites === 'ask'} onChange={() => void changeSetting({ groupInvites: 'ask' })} /> Always ask me first
              </label>
            </fieldset>
          )}
        </div>
      )}
      <AccountSettings store={store} />
    </Modal>
  );
}
