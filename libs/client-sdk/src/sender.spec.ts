import { ERROR_CODES, ParleyError, type ErrorCode, type Message } from '@parley/protocol';
import { Sender, isRetryable } from './sender';

const stored = (clientMsgId: string): Message => ({
  id: 'm1',
  conversationId: 'd:a:b',
  seq: 1,
  senderId: 'a',
  kind: 'text',
  body: { text: 'hi' },
  clientMsgId,
  createdAt: 1,
});

function sender(answers: (ParleyError | 'ok')[], deadlineMs = 5_000) {
  const attempts: string[] = [];
  const delivered: Message[] = [];
  const s = new Sender({
    send: async (payload) => {
      attempts.push(payload.clientMsgId);
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw answer;
      return { message: stored(payload.clientMsgId) };
    },
    delivered: (m) => delivered.push(m),
    closed: () => false,
    backoff: { initialMs: 1, maxMs: 2 },
    deadlineMs,
  });
  return { s, attempts, delivered };
}

describe('Sender', () => {
  it('retries exactly the codes the protocol marks temporary', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(isRetryable(new ParleyError(code, 'x'))).toBe(ERROR_CODES[code].temporary);
    }
  });

  it('takes a code it does not know (a newer server) as permanent', () => {
    expect(isRetryable(new ParleyError('SOMETHING_NEW' as ErrorCode, 'x'))).toBe(false);
  });

  it('repeats the same clientMsgId through temporary errors and hands the stored message on', async () => {
    const { s, attempts, delivered } = sender([new ParleyError('NO_NODES', 'x'), new ParleyError('INTERNAL', 'y'), 'ok']);
    const message = await s.send({ type: 'user', id: 'b' }, 'hi', 'c-1');
    expect(attempts).toEqual(['c-1', 'c-1', 'c-1']);
    expect(delivered).toEqual([message]);
  });

  it('waits what RATE_LIMITED asks for, and gives up with UNAVAILABLE past the deadline', async () => {
    const { s, attempts } = sender([new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 60_000 })], 1_000);
    await expect(s.send({ type: 'user', id: 'b' }, 'hi')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(attempts).toHaveLength(1);
  });

  it('stops at the first permanent error', async () => {
    const { s, attempts } = sender([new ParleyError('FORBIDDEN', 'not a friend')]);
    await expect(s.send({ type: 'user', id: 'b' }, 'hi')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(attempts).toHaveLength(1);
  });
});
