import { at } from '@parley/testing';
import { CommandChannel, type ClientSocket } from './command-channel';

type Ack = (answer: unknown) => void;

/** A socket whose acks the test answers by hand. */
function fakeSocket() {
  const pending: { event: string; payload: unknown; ack: Ack }[] = [];
  const socket = {
    connected: true,
    emit: (event: string, payload: unknown, ack: Ack) => pending.push({ event, payload, ack }),
  } as unknown as ClientSocket;
  return { socket, pending };
}

describe('CommandChannel', () => {
  it('resolves with the ack result and rejects with the error the node answered', async () => {
    const { socket, pending } = fakeSocket();
    const channel = new CommandChannel(socket, 1_000);
    const ok = channel.request('group:info', { groupId: 'g' });
    const refused = channel.request('group:leave', { groupId: 'g' });
    at(pending, 0, 'sent command').ack({ ok: true, group: { id: 'g' }, members: [] });
    at(pending, 1, 'sent command').ack({ ok: false, error: { code: 'NOT_FOUND', message: 'no such group' } });
    await expect(ok).resolves.toEqual({ group: { id: 'g' }, members: [] });
    await expect(refused).rejects.toMatchObject({ name: 'ParleyError', code: 'NOT_FOUND', message: 'no such group' });
  });

  it('fails a command with UNAVAILABLE when no ack comes in time', async () => {
    const { socket } = fakeSocket();
    const channel = new CommandChannel(socket, 10);
    await expect(channel.request('friend:list', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('fails every waiting command at once when closed, and refuses new ones', async () => {
    const { socket, pending } = fakeSocket();
    const channel = new CommandChannel(socket, 60_000);
    const waiting = [channel.request('friend:list', {}), channel.request('group:list', {})];
    channel.close();
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('disconnected') });
    await expect(channel.request('friend:list', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(pending).toHaveLength(2);
    expect(channel.open).toBe(false);
  });
});
