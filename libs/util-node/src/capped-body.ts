/**
 * A fetch answer's body as UTF-8 text, or undefined once it passes maxBytes:
 * reading stops there and the rest is cancelled, so a peer that streams
 * without end cannot fill our memory. No body reads as ''.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
