/**
 * Exponential backoff with jitter: attempt 1 waits about minMs, each further
 * attempt doubles up to maxMs. Jitter (50–100 % of the step) keeps a fleet of
 * gateways from retrying in lockstep after a Consul outage.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const step = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/** Sleeps, waking early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
