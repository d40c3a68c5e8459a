import { pushPayloadSchema, type Message } from '@parley/protocol';
import { silentLogger } from '@parley/util';
import type { PushRequest, PushTarget, Pusher, UserRecord, GroupRecord } from '../ports';
import { NotificationService, type NotificationServiceDeps } from './notification-service';
import { inDnd } from './push-decision';
import { PUSH_TEXT_LIMIT, pushTopic } from './push-payload';

// 2026-01-15 12:00 UTC: 20:00 in Shanghai, 07:00 in New York.
const NOW = Date.UTC(2026, 0, 15, 12, 0);
const DM = 'd:alice:bob';
const GROUP = 'g:g1';

function message(over: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    conversationId: DM,
    seq: 7,
    senderId: 'alice',
    kind: 'text',
    body: { text: 'hello bob' },
    clientMsgId: 'c1',
    createdAt: NOW,
    ...over,
  };
}

function target(over: Partial<PushTarget> = {}): PushTarget {
  return {
    id: 'sub-bob',
    userId: 'bob',
    sessionId: 'sess-bob',
    endpoint: 'https://push.example/bob',
    p256dh: 'P',
    auth: 'A',
    createdAt: 1,
    conversationId: DM,
    notify: 'all',
    mutedUntil: null,
    previews: false,
    dnd: null,
    ...over,
  };
}

/** A store, presence and pusher faked with just what the service reads. */
function world(targets: PushTarget[], away: string[] = ['bob', 'carol']) {
  const calls = { listPushTargets: 0, getUsers: 0, getGroup: 0, awayUsers: 0 };
  const pushed: PushRequest[] = [];
  const store = {
    async listPushTargets(conversations: readonly { conversationId: string; senderId: string }[]) {
      calls.listPushTargets++;
      const pairs = new Set(conversations.map((c) => `${c.conversationId}|${c.senderId}`));
      return targets.filter((t) => [...pairs].some((p) => p.startsWith(`${t.conversationId}|`) && !p.endsWith(`|${t.userId}`)));
    },
    async getUsers(ids: readonly string[]) {
      calls.getUsers++;
      return ids.map((id) => ({ id, displayName: id.toUpperCase() }) as UserRecord);
    },
    async getGroup(id: string) {
      calls.getGroup++;
      return { id, name: 'Team' } as GroupRecord;
    },
  };
  const pusher: Pusher = { push: (requests) => pushed.push(...requests), flush: async () => {}, close: async () => {} };
  const service = new NotificationService({
    store: store as unknown as NotificationServiceDeps['store'],
    presence: {
      awayUsers: async (userIds) => {
        calls.awayUsers++;
        return new Set(userIds.filter((u) => away.includes(u)));
      },
    },
    pusher,
    clock: { now: () => NOW },
    awayAfterMs: 60_000,
  });
  const send = async (...messages: Message[]) => {
    for (const m of messages) service.messageStored(m);
    await service.idle();
  };
  const payloads = () => pushed.map((r) => pushPayloadSchema.strict().parse(JSON.parse(r.payload)));
  return { service, pushed, calls, send, payloads };
}

describe('NotificationService', () => {
  it('pushes a message to an away member exactly once, without a preview by default', async () => {
    const w = world([target()]);
    await w.send(message());
    expect(w.pushed).toHaveLength(1);
    const [request] = w.pushed;
    expect(request).toMatchObject({
      destination: { endpoint: 'https://push.example/bob', p256dh: 'P', auth: 'A' },
      ttlSec: 86_400,
      urgency: 'high',
      topic: pushTopic(DM),
    });
    expect(request?.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(w.payloads()).toEqual([
      { type: 'message', conversationId: DM, messageId: 'm1', seq: 7, mention: false, url: `/?c=${encodeURIComponent(DM)}` },
    ]);
  });

  it('shows the sender and the text when the user allows previews', async () => {
    const w = world([target({ previews: true })]);
    await w.send(message());
    expect(w.payloads()).toEqual([expect.objectContaining({ title: 'ALICE', text: 'hello bob' })]);
  });

  it('names the group and prefixes the sender in a group, marks attachments, and cuts long text', async () => {
    const w = world([target({ conversationId: GROUP, previews: true }), target({ id: 'sub-carol', userId: 'carol', endpoint: 'https://push.example/carol', conversationId: GROUP })]);
    await w.send(
      message({ id: 'g1', conversationId: GROUP, body: { text: 'x'.repeat(500) } }),
      message({ id: 'g2', conversationId: GROUP, kind: 'image', body: { text: 'look', caption: 'look' } }),
      message({ id: 'g3', conversationId: GROUP, kind: 'file', body: { text: '' } }),
    );
    const bob = w.payloads().filter((p) => p.title !== undefined);
    expect(bob.map((p) => p.title)).toEqual(['Team', 'Team', 'Team']);
    expect(bob[0]?.text).toHaveLength(PUSH_TEXT_LIMIT);
    expect(bob[0]?.text?.startsWith('ALICE: xxx')).toBe(true);
    expect(bob.slice(1).map((p) => p.text)).toEqual(['ALICE: [image] look', 'ALICE: [file]']);
    // Carol has previews off: three pushes, no words; group pushes without a mention are normal urgency.
    const carol = w.payloads().filter((p) => p.title === undefined);
    expect(carol).toHaveLength(3);
    expect(carol.every((p) => p.text === undefined)).toBe(true);
    expect(w.pushed.every((r) => r.urgency === 'normal')).toBe(true);
    // One read of names for the batch.
    expect(w.calls.getUsers).toBe(1);
  });

  it('reads no names when no target shows previews', async () => {
    const w = world([target()]);
    await w.send(message());
    expect(w.calls.getUsers + w.calls.getGroup).toBe(0);
  });

  it('pushes nothing to members who are online', async () => {
    const w = world([target()], []);
    await w.send(message());
    expect(w.pushed).toEqual([]);
  });

  it('pushes nothing for a muted conversation or notify none; an expired mute notifies again', async () => {
    const muted = world([target({ mutedUntil: NOW + 1 }), target({ id: 'sub-2', notify: 'none' })]);
    await muted.send(message());
    expect(muted.pushed).toEqual([]);
    const expired = world([target({ mutedUntil: NOW })]);
    await expired.send(message());
    expect(expired.pushed).toHaveLength(1);
  });

  it('pushes a mentions-only conversation only for a mention of the user or @all, urgently', async () => {
    const w = world([target({ conversationId: GROUP, notify: 'mentions' })]);
    await w.send(message({ id: 'plain', conversationId: GROUP }));
    expect(w.pushed).toEqual([]);
    await w.send(message({ id: 'other', conversationId: GROUP, mentions: ['carol'] }));
    expect(w.pushed).toEqual([]);
    await w.send(message({ id: 'me', conversationId: GROUP, mentions: ['bob'] }), message({ id: 'all', conversationId: GROUP, mentions: ['@all'] }));
    expect(w.payloads().map((p) => [p.messageId, p.mention])).toEqual([
      ['me', true],
      ['all', true],
    ]);
    expect(w.pushed.map((r) => r.urgency)).toEqual(['high', 'high']);
  });

  it('pushes nothing during do-not-disturb hours in the user\'s time zone, even for a mention', async () => {
    const shanghaiEvening = { start: '19:00', end: '08:00', timeZone: 'Asia/Shanghai' }; // 20:00 there
    const newYorkEvening = { start: '19:00', end: '08:00', timeZone: 'America/New_York' }; // 07:00 there: inside too
    const londonNight = { start: '22:00', end: '07:00', timeZone: 'Europe/London' }; // 12:00 there: outside
    const w = world([
      target({ dnd: shanghaiEvening }),
      target({ id: 'sub-2', endpoint: 'https://push.example/2', dnd: newYorkEvening }),
      target({ id: 'sub-3', endpoint: 'https://push.example/3', dnd: londonNight }),
    ]);
    await w.send(message({ mentions: ['bob'] }));
    expect(w.pushed.map((r) => r.destination.endpoint)).toEqual(['https://push.example/3']);
  });

  it('never pushes to the sender, and never for change or system entries', async () => {
    const w = world([target({ userId: 'alice', id: 'sub-alice' }), target()], ['alice', 'bob']);
    await w.send(message({ senderId: 'alice' }));
    expect(w.pushed.map((r) => r.destination.endpoint)).toEqual(['https://push.example/bob']);
    await w.send(
      message({ id: 'chg', kind: 'change', change: { type: 'edit', messageId: 'm1' } }),
      message({ id: 'sys', kind: 'system', body: { text: '', system: { event: 'joined', actorId: 'alice' } } }),
    );
    expect(w.pushed).toHaveLength(1);
  });

  it('reads targets once and presence once for a batch of 100 messages, one push each', async () => {
    const w = world([target()]);
    await w.send(...Array.from({ length: 100 }, (_, i) => message({ id: `m${i}`, seq: i + 1 })));
    expect(w.calls.listPushTargets).toBe(1);
    expect(w.calls.awayUsers).toBe(1);
    expect(w.pushed).toHaveLength(100);
    expect(new Set(w.payloads().map((p) => p.messageId)).size).toBe(100);
  });

  it('pushes once per (message, subscription) when several senders of a batch share the conversation', async () => {
    const w = world([target({ conversationId: GROUP }), target({ id: 'sub-carol', userId: 'carol', endpoint: 'https://push.example/carol', conversationId: GROUP })]);
    await w.send(message({ id: 'a1', conversationId: GROUP }), message({ id: 'c1', conversationId: GROUP, senderId: 'carol' }));
    const pairs = w.payloads().map((p, i) => `${p.messageId}>${w.pushed[i]?.destination.endpoint}`);
    expect(pairs.sort()).toEqual(['a1>https://push.example/bob', 'c1>https://push.example/bob', 'a1>https://push.example/carol'].sort());
  });

  it('logs and swallows a failing store, and keeps working afterwards', async () => {
    const w = world([target()]);
    const errors: object[] = [];
    const failing = new NotificationService({
      store: { listPushTargets: async () => Promise.reject(new Error('db down')) } as unknown as NotificationServiceDeps['store'],
      presence: { awayUsers: async () => new Set() },
      pusher: { push: () => {}, flush: async () => {}, close: async () => {} },
      clock: { now: () => NOW },
      logger: { ...silentLogger, error: (o: object) => errors.push(o) },
    });
    failing.messageStored(message());
    await failing.idle();
    expect(errors).toHaveLength(1);
    await w.send(message());
    expect(w.pushed).toHaveLength(1);
  });
});

describe('inDnd', () => {
  const at = (hhmmUtc: string): number => Date.UTC(2026, 0, 15, Number(hhmmUtc.slice(0, 2)), Number(hhmmUtc.slice(3)));
  it('spans midnight when end is before start, end exclusive', () => {
    const dnd = { start: '22:00', end: '07:00', timeZone: 'UTC' };
    expect([at('21:59'), at('22:00'), at('03:00'), at('06:59'), at('07:00')].map((t) => inDnd(dnd, t))).toEqual([false, true, true, true, false]);
  });
  it('holds within one day when start is before end, in the given zone', () => {
    // Asia/Shanghai is UTC+8 all year: 09:00-17:00 there is 01:00-09:00 UTC.
    const dnd = { start: '09:00', end: '17:00', timeZone: 'Asia/Shanghai' };
    expect([at('00:59'), at('01:00'), at('08:59'), at('09:00')].map((t) => inDnd(dnd, t))).toEqual([false, true, true, false]);
  });
  it('follows daylight saving time', () => {
    const dnd = { start: '08:00', end: '09:00', timeZone: 'Europe/Berlin' };
    expect(inDnd(dnd, Date.UTC(2026, 0, 15, 7, 30))).toBe(true); // CET, UTC+1
    expect(inDnd(dnd, Date.UTC(2026, 6, 15, 6, 30))).toBe(true); // CEST, UTC+2
    expect(inDnd(dnd, Date.UTC(2026, 6, 15, 7, 30))).toBe(false);
  });
});
