import { describe, expect, it } from '@jest/globals';
import { sessionReducer } from './session';
import { ME } from './test-fixtures';
import type { SessionState } from './types';

const idle: SessionState = { me: ME, connection: 'idle', operator: false };

describe('session reducer', () => {
  it('follows the connection state and the node it is on', () => {
    const connected = sessionReducer(idle, { type: 'connection/changed', connection: 'connected', nodeId: 'im-1' });
    expect(connected).toEqual({ me: ME, connection: 'connected', nodeId: 'im-1', operator: false });
    expect(sessionReducer(connected, { type: 'connection/draining' }).connection).toBe('draining');
    expect(sessionReducer(connected, { type: 'connection/reconnected', nodeId: 'im-2' }).nodeId).toBe('im-2');
  });

  it('takes my profile as the server returned it', () => {
    const me = { ...ME, bio: 'hello' };
    expect(sessionReducer(idle, { type: 'profile/updated', user: me }).me).toBe(me);
  });

  it('remembers whether the admin API let me in, the same state when that did not change', () => {
    const operator = sessionReducer(idle, { type: 'operator/checked', operator: true });
    expect(operator.operator).toBe(true);
    expect(sessionReducer(operator, { type: 'operator/checked', operator: true })).toBe(operator);
    expect(sessionReducer(idle, { type: 'operator/checked', operator: false })).toBe(idle);
  });

  it('returns the same state for actions of other slices', () => {
    expect(sessionReducer(idle, { type: 'toast/expired', id: 1 })).toBe(idle);
  });
});
