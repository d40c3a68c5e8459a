import { useEffect, useState } from 'preact/hooks';
import { describe, type ChatStore, type State } from '../store';
import { AccountSettings } from './account-settings';
import { Avatar } from './avatar';
import { t } from '../i18n';
import { LanguagePicker } from './language-picker';
import { NotificationPreferences } from './notification-preferences';
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
  // Kept current by the store (loaded at sign-in, changed here or on another device).
  const settings = state.settings;
  useEffect(() => {
    if (!settings) void store.settings.load();
  }, [store]);
  const changeSetting = (patch: Parameters<ChatStore['settings']['update']>[0]) => store.settings.update(patch);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    const url = avatarUrl.trim();
    if (url && !/^https:\/\//i.test(url)) return setError(t('profile.avatarHttps'));
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
    <Modal title={t('profile.title')} onClose={onClose} testId="profile-dialog">
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <div class="profile-hero">
          <Avatar id={me.id} name={displayName || me.username} url={avatarUrl || undefined} size="lg" />
          <span class="muted">@{me.username}</span>
          {state.operator && (
            <a class="ops-link" href="/admin" data-testid="admin-link">
              {t('profile.opsConsole')}
            </a>
          )}
        </div>
        <label>
          {t('profile.displayName')}
          <input name="displayName" required maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <label>
          {t('profile.avatarUrl')}
          <input name="avatarUrl" type="url" inputMode="url" placeholder="https://…" maxLength={512} value={avatarUrl} onInput={(e) => setAvatarUrl(e.currentTarget.value)} />
        </label>
        <label>
          {t('profile.bio')}
          <textarea name="bio" rows={3} maxLength={500} value={bio} onInput={(e) => setBio(e.currentTarget.value)} placeholder={t('profile.bioPlaceholder')} />
        </label>
        <p class="error" role="alert">
          {error}
        </p>
        {saved && (
          <p class="success" role="status">
            {t('profile.saved')}
          </p>
        )}
        <div class="row end">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('profile.saving') : t('profile.save')}
          </button>
        </div>
      </form>
      {settings && (
        <div class="stack" data-testid="privacy-settings">
          <fieldset class="choice">
            <legend>{t('profile.whoMayMessage')}</legend>
            <label>
              <input type="radio" name="dmPolicy" checked={settings.dmPolicy === 'friends'} onChange={() => void changeSetting({ dmPolicy: 'friends' })} /> {t('profile.friendsOnly')}
            </label>
            <label>
              <input type="radio" name="dmPolicy" checked={settings.dmPolicy === 'anyone'} onChange={() => void changeSetting({ dmPolicy: 'anyone' })} /> {t('profile.anyone')}
            </label>
          </fieldset>
          {settings.groupInvites && (
            <fieldset class="choice">
              <legend>{t('profile.groupInvites')}</legend>
              <label>
                <input type="radio" name="groupInvites" checked={settings.groupInvites === 'friends'} onChange={() => void changeSetting({ groupInvites: 'friends' })} />{' '}
                {t('profile.invitesFriends')}
              </label>
              <label>
                <input type="radio" name="groupInvites" checked={settings.groupInvites === 'ask'} onChange={() => void changeSetting({ groupInvites: 'ask' })} /> {t('profile.invitesAsk')}
              </label>
            </fieldset>
          )}
        </div>
      )}
      <LanguagePicker />
      {settings && <NotificationPreferences store={store} settings={settings} />}
      <AccountSettings store={store} />
    </Modal>
  );
}
