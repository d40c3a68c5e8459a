/** Display helpers: times, days, initials, colors, in the page's language (Intl with its locale). */
import { locale, t } from './i18n';

const sameDay = (a: Date, b: Date): boolean =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}

/** "14:05" today, "Mon" this week, "12 Mar" otherwise: for the conversation list. */
export function shortWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return timeOfDay(ms);
  if (now - ms < 6 * 86_400_000) return d.toLocaleDateString(locale(), { weekday: 'short' });
  return d.toLocaleDateString(locale(), { day: 'numeric', month: 'short' });
}

/** "Today", "Yesterday" or a full date: for day separators in a chat. */
export function dayLabel(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  if (sameDay(d, today)) return t('when.today');
  if (sameDay(d, new Date(now - 86_400_000))) return t('when.yesterday');
  return d.toLocaleDateString(locale(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0] ?? '?';
  const last = parts.at(-1) ?? first;
  const letters = parts.length > 1 ? first.charAt(0) + last.charAt(0) : first.slice(0, 2);
  return letters.toUpperCase();
}

/** A stable hue per id, so each person keeps their avatar color. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return h;
}

export function lastSeen(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return t('when.offline');
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) return t('when.justNow');
  if (minutes < 60) return t('when.minutesAgo', { count: minutes });
  return t('when.lastSeen', { when: shortWhen(ms, now) });
}

/** "1.2 MB", "340 KB", "12 B": a file's size for a person. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
