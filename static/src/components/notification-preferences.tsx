import { useEffect, useState } from 'preact/hooks';
import type { UserSettings } from '@parley/protocol';
import { t } from '../i18n';
import { PushNotConfiguredError, type PushStatus } from '../push/push-subscriber';
import { describe, type ChatStore } from '../store';

const DEFAULT_DND = { start: '22:00', end: '07:00' };

/** The browser's time zone (IANA), which DND hours are kept in. */
function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * How I am notified: pushes to this browser (the permission prompt comes
 * from this toggle's click, never by itself), previews of the text in
 * them, and do-not-disturb hours in my time zone.
 */
export function NotificationPreferences({ store, settings }: { store: ChatStore; settings: UserSettings }) {
  const [push, setPush] = useState<PushStatus | 'busy'>('busy');
  useEffect(() => {
    void store.push.status().then(setPush, () => setPush('unsupported'));
  }, [store]);

  const togglePush = async (on: boolean) => {
    setPush('busy');
    try {
      if (on) {
        const status = await store.push.enable();
        if (status === 'denied') store.toast(t('notify.denied'), 'error');
        setPush(status);
      } else {
        await store.push.disable();
        setPush('off');
      }
    } catch (err) {
      store.toast(err instanceof PushNotConfiguredError ? t('notify.notConfigured') : t('notify.failed', { reason: describe(err) }), 'error');
      setPush(await store.push.status().catch(() => 'off' as const));
    }
  };

  const dnd = settings.dnd;
  const setDnd = (change: { start?: string; end?: string } | null) => {
    if (change === null) return void store.settings.update({ dnd: null });
    const next = { ...DEFAULT_DND, ...(dnd ?? {}), ...change, timeZone: localTimeZone() };
    if (next.start === next.end) return; // the server refuses equal times: wait for the other one
    void store.settings.update({ dnd: next });
  };

  return (
    <fieldset class="choice notification-preferences" data-testid="notification-preferences">
      <legend>{t('profile.notifications')}</legend>
      <label>
        <input
          type="checkbox"
          data-testid="push-toggle"
          disabled={push === 'busy' || push === 'unsupported' || push === 'denied'}
          checked={push === 'on'}
          onChange={(e) => void togglePush(e.currentTarget.checked)}
        />{' '}
        {t('profile.push')}
      </label>
      {push === 'unsupported' && <p class="hint">{t('notify.unsupported')}</p>}
      {push === 'denied' && <p class="hint">{t('notify.denied')}</p>}
      <label>
        <input type="checkbox" data-testid="previews-toggle" checked={settings.previews} onChange={(e) => void store.settings.update({ previews: e.currentTarget.checked })} />{' '}
        {t('profile.previews')}
      </label>
      <label>
        <input type="checkbox" data-testid="dnd-toggle" checked={dnd !== null} onChange={(e) => setDnd(e.currentTarget.checked ? {} : null)} /> {t('profile.dnd')}
      </label>
      {dnd && (
        <div class="row dnd-hours">
          <label>
            {t('profile.dndFrom')} <input type="time" data-testid="dnd-start" value={dnd.start} onChange={(e) => setDnd({ start: e.currentTarget.value })} />
          </label>
          <label>
            {t('profile.dndTo')} <input type="time" data-testid="dnd-end" value={dnd.end} onChange={(e) => setDnd({ end: e.currentTarget.value })} />
          </label>
          <span class="hint" data-testid="dnd-zone">
            {t('profile.dndZone', { zone: dnd.timeZone })}
          </span>
        </div>
      )}
    </fieldset>
  );
}
