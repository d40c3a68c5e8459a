/** The readiness URL of a node's base URL: `${url}/readyz`, with one slash. */
export function readyzUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/readyz`;
}

/**
 * Whether GET url answers 200 within timeoutMs. Anything else (another
 * status such as a draining node's 503, a refused connection, a timeout, an
 * abort through `signal`) is "not ready".
 */
export async function answersReady(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), redirect: 'manual' });
    await res.body?.cancel(); // the status is all we need; free the connection
    return res.status === 200;
  } catch {
    return false;
  }
}
