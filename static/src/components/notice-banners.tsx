import { t } from '../i18n';
import type { ChatStore, State } from '../store';

/** Operators' notices to everyone online (`system:notice`), each a banner until dismissed. */
export function NoticeBanners({ store, notices }: { store: ChatStore; notices: State['notices'] }) {
  if (notices.length === 0) return null;
  return (
    <div class="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice-banner notice-${n.level}`} role={n.level === 'warning' ? 'alert' : 'status'} data-testid="system-notice" data-level={n.level}>
          <span class="notice-icon" aria-hidden="true">
            {n.level === 'warning' ? '!' : 'i'}
          </span>
          <span class="notice-text">
            <span class="notice-from">{n.level === 'warning' ? t('notices.warning') : t('notices.info')}</span>
            {n.text}
          </span>
          <button type="button" class="icon" aria-label={t('notices.dismiss')} onClick={() => store.operators.dismiss(n.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
