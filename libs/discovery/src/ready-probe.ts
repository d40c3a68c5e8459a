/** The readiness URL of a node's base URL: `${url}/readyz`, with one slash. */
export function readyzUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/readyz`;
}

/**
 * Whether GET url answers 200 within timeoutMs. Anything else (another
 * status such as a draining node's 503, a refused connection, a timeout, an
 * abort through `signal`) is "not ready".
 *
 * The timeout is our own timer raced against the request, not only an abort
 * signal handed to fetch: under GC pressure Node 20's fetch (undici) can lose
 * a followed signal (AbortSignal.any of AbortSignal.timeout), and a probe
 * then waited for a hanging node's full answer.
 */
export async function answersReady(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false; // an abort listener added now would never fire
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      abort();
      resolve(false);
    }, timeoutMs);
  });
  try {
    return await Promise.race([ask(url, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

async function ask(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(url, { signal, redirect: 'manual' });
    await res.body?.cancel(); // the status is all we need; free the connection
    return res.status === 200;
  } catch {
    return false;
  }
}
