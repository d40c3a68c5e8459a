import { useEffect, useState } from 'preact/hooks';
import type { DmPolicy } from '@parley/protocol';
import { describe, type ChatStore, type State } from '../store';
import { Avatar } from './avatar';
import { Modal } from './modal';

interface Props {
  store: ChatStore;
  state: State;
  onClose: () => void;
  onSignOut: () => void;
}

/** Edit display name, avatar URL and bio (PATCH /api/me). */
export function ProfileDialog({ store, state, onClose, onSignOut }: Props) {
  const me = state.me;
  const [displayName, setDisplayName] = useState(me.displayName);
  const [avatarUrl, setAvatarUrl] = useState(me.avatarUrl ?? '');
  const [bio, setBio] = useState(me.bio ?? '');
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dmPolicy, setDmPolicy] = useState<DmPolicy | undefined>();

  useEffect(() => {
    void store.run('settings:get', {}, true).then((r) => r && setDmPolicy(r.settings.dmPolicy));
  }, [store]);

  const changePolicy = async (next: DmPolicy) => {
    const previous = dmPolicy;
    setDmPolicy(next);
    const r = await store.run('settings:update', { dmPolicy: next });
    setDmPolicy(r ? r.settings.dmPolicy : previous);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    const url = avatarUrl.trim();
    if (url && !/^https?:\/\//i.test(url)) return setError('The avatar must be an http:// or https:// address.');
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
        {dmPolicy && (
          <fieldset class="choice">
            <legend>Who can message you</legend>
            <label>
              <input type="radio" name="dmPolicy" checked={dmPolicy === 'friends'} onChange={() => void changePolicy('friends')} /> Friends only
            </label>
            <label>
              <input type="radio" name="dmPolicy" checked={dmPolicy === 'anyone'} onChange={() => void changePolicy('anyone')} /> Anyone
            </label>
          </fieldset>
        )}
        <p class="error" role="alert">
          {error}
        </p>
        {saved && (
          <p class="success" role="status">
            Profile saved.
          </p>
        )}
        <div class="row between">
          <button type="button" class="danger" onClick={onSignOut}>
            Sign out
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
