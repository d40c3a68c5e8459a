/** Thrown by a check: waiting on is pointless (the process waited for has exited). */
export class GaveUp extends Error {}

/**
 * Polls `check` until it answers true; any other answer (a string saying what
 * is still missing) or a throw means not yet, except {@link GaveUp}, which
 * ends the wait at once. Fails after timeoutMs with the last answer, so a
 * timeout names what never happened.
 */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<true | string> | true | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not checked yet';
  for (;;) {
    try {
      const answer = await check();
      if (answer === true) return;
      last = answer;
    } catch (err) {
      if (err instanceof GaveUp) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
