/** The conversation a Parley URL opens (`/?c=<id>`), if any; other origins open nothing. */
export function linkedConversation(url: string, origin: string): string | undefined {
  try {
    const parsed = new URL(url, origin);
    if (parsed.origin !== origin) return undefined;
    const id = parsed.searchParams.get('c');
    return id && id.length <= 160 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Conversations asked for from outside the page: `?c=` in the address it
 * was opened with (then removed from the address bar, so a reload does not
 * reopen it), and a notification click the service worker passes on.
 * Returns how to stop listening.
 */
export function listenForOpenRequests(open: (conversationId: string) => void): () => void {
  const initial = linkedConversation(window.location.href, window.location.origin);
  if (initial) {
    const clean = new URL(window.location.href);
    clean.searchParams.delete('c');
    window.history.replaceState(window.history.state, '', clean.pathname + clean.search + clean.hash);
    open(initial);
  }
  const container = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  if (!container) return () => undefined;
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; url?: unknown } | null;
    if (data?.type !== 'parley:open' || typeof data.url !== 'string') return;
    const id = linkedConversation(data.url, window.location.origin);
    if (id) open(id);
  };
  container.addEventListener('message', onMessage);
  return () => container.removeEventListener('message', onMessage);
}
