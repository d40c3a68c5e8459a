import { describe, expect, it } from '@jest/globals';
import { ParleyError, type SystemNotice } from '@parley/protocol';
import { OperatorChannel, type OperatorClient } from './operator-channel';
import type { Action } from './state/actions';

/** A client whose `/api/admin/access` answers with `answer` (thrown when an Error), and whose notice pushes the test sends. */
function channelWith(answer: unknown) {
  const asked: string[] = [];
  let push: ((notice: SystemNotice) => void) | undefined;
  const client: OperatorClient = {
    rest: <T>(method: string, path: string): Promise<T> => {
      asked.push(`${method} ${path}`);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
    on: (_event, listener) => {
      push = listener;
      return () => (push = undefined);
    },
  };
  const actions: Action[] = [];
  const channel = new OperatorChannel(client, (a) => actions.push(a));
  return { channel, actions, asked, push: (n: SystemNotice) => push?.(n) };
}

const notice: SystemNotice = { id: 'n1', text: 'Maintenance at 22:00', level: 'warning', at: 1 };

describe('OperatorChannel', () => {
  it('shows the console link only when the admin API says a literal true', async () => {
    const yes = channelWith({ admin: true });
    await yes.channel.checkAccess();
    expect(yes.asked).toEqual(['GET /api/admin/access']);
    expect(yes.actions).toEqual([{ type: 'operator/checked', operator: true }]);
    // What a lying or broken answer might hold: none of it is a yes.
    for (const answer of [{ admin: false }, { admin: 'true' }, { admin: 1 }, {}, null, 'admin', [true]]) {
      const other = channelWith(answer);
      await other.channel.checkAccess();
      expect({ answer, actions: other.actions }).toEqual({ answer, actions: [] });
    }
  });

  it('shows no link, and throws nothing, when the gateway refuses or cannot be reached', async () => {
    for (const err of [new ParleyError('NOT_FOUND', 'no admin API'), new ParleyError('UNAUTHORIZED', 'expired'), new TypeError('fetch failed')]) {
      const { channel, actions } = channelWith(err);
      await expect(channel.checkAccess()).resolves.toBeUndefined();
      expect(actions).toEqual([]);
    }
  });

  it('turns each pushed notice into a banner until dismissed, and stops listening when told', () => {
    const { channel, actions, push } = channelWith({ admin: false });
    const stop = channel.listen();
    push(notice);
    channel.dismiss('n1');
    stop();
    push({ ...notice, id: 'n2' });
    expect(actions).toEqual([
      { type: 'notice/received', notice },
      { type: 'notice/dismissed', id: 'n1' },
    ]);
  });
});
