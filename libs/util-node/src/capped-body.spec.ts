import { readBodyCapped } from './capped-body';

/** A body that streams `chunks` and records whether the reader cancelled it. */
function streamed(chunks: string[]): { response: Response; cancelled: () => boolean } {
  let cancelled = false;
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(chunk));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(body), cancelled: () => cancelled };
}

describe('readBodyCapped', () => {
  it('reads a body of exactly the cap (bytes, not characters) as UTF-8, across chunks', async () => {
    expect(await readBodyCapped(streamed(['{"a":', '"坏"}']).response, 11)).toBe('{"a":"坏"}');
  });

  it('answers undefined past the cap and cancels the rest', async () => {
    const { response, cancelled } = streamed(['12345', '67890', 'never read']);
    expect(await readBodyCapped(response, 9)).toBeUndefined();
    expect(cancelled()).toBe(true);
  });

  it('reads no body as empty text', async () => {
    expect(await readBodyCapped(new Response(null, { status: 204 }), 10)).toBe('');
  });
});
