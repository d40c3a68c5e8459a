import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first value that passes, after as many looks as it takes', async () => {
    let reads = 0;
    const value = await waitFor('the third read', () => ++reads, (n) => n >= 3, { intervalMs: 1 });
    expect(value).toBe(3);
    expect(reads).toBe(3);
  });

  it('without a predicate, waits for something other than undefined (async reads too)', async () => {
    let reads = 0;
    const found = await waitFor('a line', async () => (++reads < 4 ? undefined : 'the line'), { intervalMs: 1 });
    expect(found).toBe('the line');
    expect(reads).toBe(4);
  });

  it('gives up naming what it waited for and the last value it saw', async () => {
    await expect(waitFor('two sockets', () => ({ sockets: 1 }), (v) => v.sockets === 2, { timeoutMs: 20, intervalMs: 1 })).rejects.toThrow(
      'two sockets: not reached within 20 ms; last {"sockets":1}',
    );
  });

  it('fails at once on a read that throws, unless told to retry errors', async () => {
    let reads = 0;
    const failing = () => {
      reads++;
      throw new Error('ECONNREFUSED');
    };
    await expect(waitFor('a server', failing, { timeoutMs: 10_000 })).rejects.toThrow('ECONNREFUSED');
    expect(reads).toBe(1);
  });

  it('retries a throwing read when asked, and names the last error if time runs out', async () => {
    let reads = 0;
    const flaky = () => {
      if (++reads < 3) throw new Error('ECONNREFUSED');
      return 'up';
    };
    await expect(waitFor('a server', flaky, { intervalMs: 1, retryErrors: true })).resolves.toBe('up');
    await expect(
      waitFor('a dead server', () => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 20, intervalMs: 1, retryErrors: true }),
    ).rejects.toThrow('a dead server: not reached within 20 ms; last error: Error: ECONNREFUSED');
  });

  it('lets a predicate accept undefined (only the predicate decides)', async () => {
    const value = await waitFor('nothing', (): string | undefined => undefined, (v) => v === undefined);
    expect(value).toBeUndefined();
  });
});
