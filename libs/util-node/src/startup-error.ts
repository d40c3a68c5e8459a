/**
 * A start-up failure as one line that names its real cause: the message and
 * each `cause` under it ("store unavailable: unable to open database file"),
 * at most a few levels deep. Messages only, never stacks or config values.
 */
export function describeStartupError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
