import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { PushNotConfiguredError } from '../push/push-subscriber';
import { describe, type ChatStore } from '../store';

const DISMISSED_KEY = 'parley.push.bannerDismissed';

function wasDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * "Get notified when you are away?": offered once the person has sent a
 * message (they use Parley to talk, so the question makes sense), never on
 * first load; the browser's prompt comes only from the button's click.
 * "Not now" hides it for good in this browser (the profile keeps the toggle).
 */
export function PushBanner({ store, hasSent }: { store: ChatStore; hasSent: boolean }) {
  const [hidden, setHidden] = useState(wasDismissed);
  if (hidden || !hasSent || !store.push.canAsk()) return null;
  const dismiss = () => {
    try {
      localStorage.setItem(DISMISSED_KEY, '1');
    } catch {
      // storage disabled: hidden for this page only
    }
    setHidden(true);
  };
  const enable = async () => {
    setHidden(true);
    try {
      const status = await store.push.enable();
      if (status === 'on') store.toast(t('notify.enabled'));
      if (status === 'denied') store.toast(t('notify.denied'), 'error');
    } catch (err) {
      store.toast(err instanceof PushNotConfiguredError ? t('notify.notConfigured') : t('notify.failed', { reason: describe(err) }), 'error');
    }
  };
  return (
    <div class="banner push-banner" role="region" aria-label={t('notify.title')} data-testid="push-banner">
      <span>{t('notify.bannerText')}</span>
      <button type="button" class="primary" onClick={() => void enable()} data-testid="push-banner-enable">
        {t('notify.bannerEnable')}
      </button>
      <button type="button" class="link" onClick={dismiss} data-testid="push-banner-dismiss">
        {t('notify.bannerDismiss')}
      </button>
    </div>
  );
}
