import type { NotifyMode } from '@parley/protocol';
import { locale, t } from '../i18n';
import type { ChatStore, Conversation } from '../store';
import { conversationTitle } from './conversation-list';
import { Modal } from './modal';
import { MUTED_FOREVER, isMuted } from '../state/muting';

const HOUR = 3_600_000;
/** The mute lengths offered; `null`: until I turn it back on (stored as the far future: the server keeps a time). */
const MUTE_CHOICES: readonly { key: string; ms: number | null }[] = [
  { key: 'notify.mute1h', ms: HOUR },
  { key: 'notify.mute8h', ms: 8 * HOUR },
  { key: 'notify.mute1w', ms: 7 * 24 * HOUR },
  { key: 'notify.muteForever', ms: null },
];
function mutedText(c: Conversation): string {
  if (!isMuted(c)) return t('notify.notMuted');
  if ((c.mutedUntil ?? 0) >= MUTED_FOREVER) return t('notify.mutedForever');
  const when = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(c.mutedUntil ?? 0);
  return t('notify.mutedUntil', { when });
}

/** One conversation's notifications: mute for a while (or until unmuted), and which messages notify. Applies on click. */
export function NotificationSettings({ store, conv, onClose }: { store: ChatStore; conv: Conversation; onClose: () => void }) {
  const set = (patch: { notify?: NotifyMode; mutedUntil?: number | null }) => void store.settings.conversation({ conversationId: conv.id, ...patch });
  const muted = isMuted(conv);
  return (
    <Modal title={`${t('notify.title')} · ${conversationTitle(conv)}`} onClose={onClose} testId="notification-settings">
      <div class="stack">
        <fieldset class="choice mute-choice">
          <legend>{t('notify.mute')}</legend>
          <p class="muted" data-testid="mute-state">
            {mutedText(conv)}
          </p>
          <div class="row wrap">
            {MUTE_CHOICES.map(({ key, ms }) => (
              <button type="button" key={key} data-testid={`mute-${key.slice('notify.'.length)}`} onClick={() => set({ mutedUntil: ms === null ? MUTED_FOREVER : Date.now() + ms })}>
                {t(key)}
              </button>
            ))}
            {muted && (
              <button type="button" class="primary" data-testid="unmute" onClick={() => set({ mutedUntil: null })}>
                {t('notify.unmute')}
              </button>
            )}
          </div>
        </fieldset>
        <fieldset class="choice">
          <legend>{t('notify.which')}</legend>
          {(['all', 'mentions'] as const).map((mode) => (
            <label key={mode}>
              <input type="radio" name="notify" value={mode} data-testid={`notify-${mode}`} checked={conv.notify === mode} onChange={() => set({ notify: mode })} /> {t(`notify.${mode}`)}
            </label>
          ))}
        </fieldset>
      </div>
    </Modal>
  );
}
