import { SERVER_EVENT_NAMES } from '@parley/protocol';
import { FORWARDED_EVENTS, forwardServerEvents } from './client-events';
import type { ClientSocket } from './command-channel';

describe('the client event map', () => {
  it('forwards every server event the client does not consume itself, each under one distinct name', () => {
    const consumed = ['message:new', 'message:update', 'server:resync'];
    const forwarded = Object.keys(FORWARDED_EVENTS);
    expect([...forwarded, ...consumed].sort()).toEqual([...SERVER_EVENT_NAMES].sort());
    expect(new Set(Object.values(FORWARDED_EVENTS)).size).toBe(forwarded.length);
  });

  it('passes a socket push on with its payload, renamed', () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const socket = { on: (event: string, listener: (payload: unknown) => void) => listeners.set(event, listener) } as unknown as ClientSocket;
    const emitted: [string, unknown][] = [];
    forwardServerEvents(socket, (event, payload) => emitted.push([event, payload]));
    const request = { id: 'r', fromUserId: 'a', toUserId: 'b', status: 'pending', createdAt: 1 };
    listeners.get('friend:request')?.({ request });
    listeners.get('server:draining')?.({ reconnectAfterMs: 5 });
    listeners.get('session:ended')?.({ reason: 'password-changed' });
    expect(emitted).toEqual([
      ['friendRequest', { request }],
      ['draining', { reconnectAfterMs: 5 }],
      ['sessionEnded', { reason: 'password-changed' }],
    ]);
    expect(listeners.has('message:new')).toBe(false);
  });
});
