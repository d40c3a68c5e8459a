import { readBodyCapped } from '@parley/util-node';
import { z } from 'zod';

/** The readiness URL of a node's base URL: `${url}/readyz`, with one slash. */
export function readyzUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/readyz`;
}

/**
 * How a node answered GET /readyz:
 * - `ready`: 200;
 * - `unready`: 503 with Parley's readiness problem naming only dependencies
 *   every process shares (database, Redis, the relay): the node serves, and a
 *   directory may list it when no node is ready (panic mode);
 * - `down`: anything else (a refused connection, a timeout, an abort, a
 *   draining or starting node, a body that is not Parley's).
 */
export type ProbeAnswer = 'ready' | 'unready' | 'down';

/** What a node's /readyz names in `failed` when a dependency it shares with every other process fails. */
const SHARED_DEPENDENCIES: ReadonlySet<string> = new Set(['database', 'redis', 'relay']);

/** The part of a 503 readiness problem document (libs/im-node http/health.ts) the probe reads. */
const notReadySchema = z.object({ code: z.literal('UNAVAILABLE'), failed: z.array(z.string()).min(1) });

/** A readiness body is a few hundred bytes; more is not Parley's and is not read. */
const MAX_BODY_BYTES = 8 * 1024;

/**
 * Asks GET url within timeoutMs (see ProbeAnswer).
 *
 * The timeout is our own timer raced against the request, not only an abort
 * signal handed to fetch: under GC pressure Node 20's fetch (undici) can lose
 * a followed signal (AbortSignal.any of AbortSignal.timeout), and a probe
 * then waited for a hanging node's full answer.
 */
export async function probeReadiness(url: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeAnswer> {
  if (signal.aborted) return 'down'; // an abort listener added now would never fire
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => {
      abort();
      resolve('down');
    }, timeoutMs);
  });
  try {
    return await Promise.race([ask(url, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

/** Whether GET url answers 200 within timeoutMs (see probeReadiness). */
export async function answersReady(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  return (await probeReadiness(url, timeoutMs, signal)) === 'ready';
}

async function ask(url: string, signal: AbortSignal): Promise<ProbeAnswer> {
  try {
    const res = await fetch(url, { signal, redirect: 'manual' });
    if (res.status !== 503) {
      await res.body?.cancel(); // the status is all we need; free the connection
      return res.status === 200 ? 'ready' : 'down';
    }
    const parsed = notReadySchema.safeParse(parseJson((await readBodyCapped(res, MAX_BODY_BYTES)) ?? ''));
    return parsed.success && parsed.data.failed.every((name) => SHARED_DEPENDENCIES.has(name)) ? 'unready' : 'down';
  } catch {
    return 'down';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
