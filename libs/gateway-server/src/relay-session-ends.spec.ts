import { RELAY_FRAME_LIMITS, decodeRelayFrame, type RelayFrame } from '@parley/protocol';
import type { GatewayOwnFrame } from '@parley/relay';
import { createLogger } from '@parley/util-node';
import { RelaySessionEnds } from './relay-session-ends';

describe('RelaySessionEnds', () => {
  function notifier() {
    const sent: GatewayOwnFrame[] = [];
    let n = 0;
    const relay = { deliverOwn: (frame: GatewayOwnFrame) => (sent.push(frame), ['im-1']) };
    const ends = new RelaySessionEnds(relay, { next: () => `m${++n}` }, createLogger({ name: 'test', level: 'silent' }));
    /** Each frame as a node decodes it, given the gateway's marker. */
    const decoded = (): RelayFrame[] =>
      sent.map((f) => {
        const result = decodeRelayFrame({ ...f, rooms: [...f.rooms], originNode: '', fromGateway: true });
        if (!result.ok) throw new Error(`a node would drop it: ${result.reason}`);
        return result.frame;
      });
    return { ends, sent, decoded };
  }

  it("sends one session:end to the user's room that a node accepts from a gateway", async () => {
    const { ends, decoded } = notifier();
    await ends.sessionsEnded('01JUSER', ['01JS1', '01JS2'], 'password-changed');
    expect(decoded()).toEqual([
      { kind: 'session:end', rooms: ['user:01JUSER'], payload: { userId: '01JUSER', sessionIds: ['01JS1', '01JS2'], reason: 'password-changed' }, messageId: 'm1', originNode: '' },
    ]);
  });

  it('splits a logout-all of more sign-ins than one frame may carry, each frame within the limit', async () => {
    const { ends, decoded } = notifier();
    const ids = Array.from({ length: RELAY_FRAME_LIMITS.maxSessions * 2 + 1 }, (_, i) => `s${i}`);
    await ends.sessionsEnded('u1', ids, 'logout-all');
    const frames = decoded();
    expect(frames.map((f) => (f.kind === 'session:end' ? f.payload.sessionIds.length : 0))).toEqual([RELAY_FRAME_LIMITS.maxSessions, RELAY_FRAME_LIMITS.maxSessions, 1]);
    expect(frames.flatMap((f) => (f.kind === 'session:end' ? f.payload.sessionIds : []))).toEqual(ids);
  });

  it('sends nothing when no session ended', async () => {
    const { ends, sent } = notifier();
    await ends.sessionsEnded('u1', [], 'logout-all');
    expect(sent).toEqual([]);
  });
});
