import { MENTION_ALL, type Dnd, type Message } from '@parley/protocol';
import type { PushTarget } from '../ports';

/** The message mentions this user by id or everyone (`@all`). */
export function mentionsUser(message: Pick<Message, 'mentions'>, userId: string): boolean {
  return message.mentions?.some((m) => m === userId || m === MENTION_ALL) ?? false;
}

/**
 * Whether a member's settings let this message reach them by push at `now`:
 * notify `none` or an unexpired mute -> no; `mentions` -> only when mentioned;
 * inside do-not-disturb hours -> no (a mention does not break DND).
 */
export function allowsPush(target: PushTarget, mentioned: boolean, now: number): boolean {
  if (target.notify === 'none') return false;
  if (target.mutedUntil !== null && target.mutedUntil > now) return false;
  if (target.notify === 'mentions' && !mentioned) return false;
  return !(target.dnd && inDnd(target.dnd, now));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timeZone` (formatters cached: one per zone seen). */
function localMinutes(now: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `now` falls in [start, end) in the zone's local time; end before start spans midnight. */
export function inDnd(dnd: Dnd, now: number): boolean {
  let local: number;
  try {
    local = localMinutes(now, dnd.timeZone);
  } catch {
    // A zone this runtime no longer knows (validated when saved): no quiet hours rather than no pushes.
    return false;
  }
  const start = toMinutes(dnd.start);
  const end = toMinutes(dnd.end);
  return start < end ? local >= start && local < end : local >= start || local < end;
}
