import { describe, expect, it } from '@jest/globals';
import type { ParleyClient, SendOptions } from '@parley/client';
import { ParleyError, type Message, type NewMessageTarget } from '@parley/protocol';
import type { Action } from '../state/actions';
import { reduce } from '../state/reducer';
import { ME, message } from '../state/test-fixtures';
import { initialState, type State } from '../state/types';
import { OutgoingQueue } from './outgoing-queue';

const ALICE: NewMessageTarget = { type: 'user', id: 'alice' };

/**
 * A queue over a fake client whose sends settle as `outcomes` say, in turn
 * (an Error: refused with it; else acked), and the real reducer, so a retry
 * finds what an earlier failure left in the outbox.
 */
function setup(...outcomes: ('ack' | Error)[]) {
  let state: State = initialState(ME);
  const dispatched: Action[] = [];
  const sends: { to: NewMessageTarget; text: string; options: SendOptions }[] = [];
  const received: Message[] = [];
  const client = {
    send: (to: NewMessageTarget, text: string, options: SendOptions) => {
      sends.push({ to, text, options });
      const outcome = outcomes.shift() ?? 'ack';
      if (outcome instanceof Error) return Promise.reject(outcome);
      return Promise.resolve(message(4, { conversationId: 'd:alice', senderId: ME.id, body: { text }, clientMsgId: options.clientMsgId ?? '' }));
    },
  } as unknown as ParleyClient;
  const queue = new OutgoingQueue({
    client,
    dispatch: (action) => {
      dispatched.push(action);
      state = reduce(state, action);
    },
    state: () => state,
    received: (m) => received.push(m),
  });
  return { queue, dispatched, sends, received, state: () => state };
}

describe('the outgoing-message queue', () => {
  it('shows a message as sending at once, then hands the ack on and takes it out of the outbox', async () => {
    const { queue, dispatched, sends, received, state } = setup('ack');
    const replyTo = message(2);
    const sent = queue.send('d:alice', ALICE, 'hello', { replyTo, mentions: ['alice'] });
    const clientMsgId = state().outgoing[0]?.clientMsgId;
    expect(state().outgoing).toEqual([
      { clientMsgId: expect.any(String), conversationId: 'd:alice', to: ALICE, text: 'hello', createdAt: expect.any(Number), status: 'sending', replyTo: 'm2', mentions: ['alice'] },
    ]);
    await sent;
    expect(sends).toEqual([{ to: ALICE, text: 'hello', options: { clientMsgId, replyTo: 'm2', mentions: ['alice'] } }]);
    expect(received).toEqual([expect.objectContaining({ seq: 4, clientMsgId })]);
    expect(dispatched.map((a) => a.type)).toEqual(['outbox/queued', 'outbox/sent']);
    expect(dispatched[1]).toEqual({ type: 'outbox/sent', clientMsgId, conversationId: 'd:alice', seq: 4 });
    expect(state().outgoing).toEqual([]);
  });

  it('sends no reply or mentions when there are none', async () => {
    const { queue, sends, state } = setup('ack');
    const sent = queue.send('d:alice', ALICE, 'plain', { mentions: [] });
    expect(state().outgoing[0]).not.toHaveProperty('mentions');
    expect(state().outgoing[0]).not.toHaveProperty('replyTo');
    await sent;
    expect(sends[0]?.options).toEqual({ clientMsgId: expect.any(String) });
  });

  it('keeps a refused message as failed, with the reason worded for a person', async () => {
    const { queue, dispatched, received, state } = setup(new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 4_200 }));
    await queue.send('d:alice', ALICE, 'hello');
    expect(dispatched.map((a) => a.type)).toEqual(['outbox/queued', 'outbox/failed']);
    expect(state().outgoing).toEqual([expect.objectContaining({ text: 'hello', status: 'failed', error: 'Too many attempts. Try again in 5 s.' })]);
    expect(received).toEqual([]);
  });

  it('retries with the same clientMsgId, so the server stores the message at most once', async () => {
    const { queue, dispatched, sends, received, state } = setup(new Error('socket closed'), 'ack');
    await queue.send('d:alice', ALICE, 'hello', { mentions: ['alice'] });
    const failed = state().outgoing[0];
    expect(failed).toMatchObject({ status: 'failed', error: 'socket closed' });
    const clientMsgId = failed?.clientMsgId ?? '';
    const retried = queue.retry(clientMsgId);
    expect(state().outgoing).toEqual([{ ...failed, status: 'sending', error: undefined }]);
    await retried;
    expect(sends).toEqual([
      { to: ALICE, text: 'hello', options: { clientMsgId, mentions: ['alice'] } },
      { to: ALICE, text: 'hello', options: { clientMsgId, mentions: ['alice'] } },
    ]);
    expect(dispatched.map((a) => a.type)).toEqual(['outbox/queued', 'outbox/failed', 'outbox/retried', 'outbox/sent']);
    expect(received.map((m) => m.clientMsgId)).toEqual([clientMsgId]);
    expect(state().outgoing).toEqual([]);
  });

  it('does nothing on a retry of a message no longer in the outbox', async () => {
    const { queue, dispatched, sends } = setup();
    await queue.retry('gone');
    expect(dispatched).toEqual([]);
    expect(sends).toEqual([]);
  });

  it('discards a failed message without sending it', async () => {
    const { queue, dispatched, sends, state } = setup(new Error('socket closed'));
    await queue.send('d:alice', ALICE, 'hello');
    const clientMsgId = state().outgoing[0]?.clientMsgId ?? '';
    queue.discard(clientMsgId);
    expect(dispatched.at(-1)).toEqual({ type: 'outbox/discarded', clientMsgId });
    expect(state().outgoing).toEqual([]);
    expect(sends).toHaveLength(1);
  });
});
