/**
 * What the service worker shows for a push (pure, so it is tested without a
 * worker). The payload is the server's pushPayloadSchema; it is checked by
 * hand here because the worker bundle carries no schema library.
 */

export type WorkerLanguage = 'en' | 'zh';

const NEW_MESSAGE: Record<WorkerLanguage, string> = { en: 'New message', zh: '新消息' };
const MENTIONED: Record<WorkerLanguage, string> = { en: 'You were mentioned', zh: '有人提到了你' };

export interface ShownNotification {
  title: string;
  options: { body: string; tag: string; renotify: boolean; data: { url: string; conversationId: string }; icon?: string };
}

/** The language a saved choice names, else the browser's. */
export function workerLanguage(saved: string | undefined, browser: string | undefined): WorkerLanguage {
  if (saved === 'en' || saved === 'zh') return saved;
  return browser?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** Only a same-origin path is followed: a payload cannot send a click elsewhere. */
export function safePath(url: unknown): string {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') && !url.includes('\\') ? url : '/';
}

/** The notification for one push payload (JSON text); undefined when it is not one of ours. */
export function notificationFor(text: string | undefined, lang: WorkerLanguage): ShownNotification | undefined {
  let payload: unknown;
  try {
    payload = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.type !== 'message' || typeof p.conversationId !== 'string') return undefined;
  const conversationId = p.conversationId;
  const title = typeof p.title === 'string' && p.title ? p.title : NEW_MESSAGE[lang];
  const body = typeof p.text === 'string' ? p.text : p.mention === true ? MENTIONED[lang] : '';
  const url = safePath(p.url ?? `/?c=${encodeURIComponent(conversationId)}`);
  // One notification per chat: a newer message replaces the older one, and still alerts (renotify).
  return { title, options: { body, tag: conversationId, renotify: true, data: { url, conversationId } } };
}
