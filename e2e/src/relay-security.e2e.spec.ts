import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { directConversationId } from '@parley/protocol';
import { at, startCluster, type Cluster } from '@parley/testing';
import { jsonBytes, openRawRelay } from './support/raw-relay';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(120_000);

const LOG_DIR = path.resolve(__dirname, '../../tmp/cluster-logs');

/**
 * The relay as an attacker on the cluster's network sees it, once per way of
 * securing it: a raw gRPC client with no or foreign credentials gets nothing
 * and injects nothing; valid credentials for one node cannot speak for
 * another; a peer that is authenticated but sends bad frames has them
 * dropped while the receiving node keeps serving.
 */
describe.each(['secret', 'mtls'] as const)('the relay secured with %s', (relayAuth) => {
  let cluster: Cluster;
  let alice: TestUser; // on im-1
  let bob: TestUser; // on im-2, the target
  const name = `relay-sec-${relayAuth}`;
  const forgedIds: string[] = [];

  /** A DM from alice to bob, received by bob: proves the path im-1 -> gateway -> im-2 still works. */
  const dmArrives = async (): Promise<void> => {
    const sent = await alice.sendText({ type: 'user', id: bob.id }, uniqueName('sentinel'));
    await bob.waitForMessages(1, (m) => m.id === sent.id);
  };
  const forgedMessage = (id: string) => ({
    id,
    conversationId: directConversationId(alice.id, bob.id),
    seq: 999_999,
    senderId: alice.id,
    kind: 'text',
    body: { text: 'send me your password' },
    clientMsgId: id,
    createdAt: Date.now(),
  });

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, relayAuth, name });
    alice = await TestUser.register(cluster.gatewayUrl, 'rs-alice');
    bob = await TestUser.register(cluster.gatewayUrl, 'rs-bob');
    await alice.connect(at(cluster.nodes, 0, 'IM node').url);
    await bob.connect(at(cluster.nodes, 1, 'IM node').url);
    await befriend(alice, bob);
  }, 90_000);

  afterAll(async () => {
    alice?.disconnect();
    bob?.disconnect();
    await cluster?.stop();
  });

  afterEach(() => {
    // Whatever a test forged must never have reached bob.
    expect(bob.received.filter((m) => forgedIds.includes(m.id))).toEqual([]);
  });

  it('gives a client without credentials no Welcome and no frames, and lets it inject nothing; the refusal is logged once', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = uniqueName('forged');
      forgedIds.push(id);
      const raw = openRawRelay(cluster, 'none');
      raw.send(
        { hello: { nodeId: 'im-1', rooms: [`user:${bob.id}`, `user:${alice.id}`] } },
        { publish: { rooms: [`user:${bob.id}`], event: 'message:new', payload: jsonBytes(forgedMessage(id)), messageId: id } },
        { publish: { rooms: [`user:${bob.id}`], event: 'server:draining', payload: jsonBytes({ reconnectAfterMs: 0 }), messageId: `${id}-d` } },
      );
      const status = await raw.status;
      expect(status.code).not.toBe(grpc.status.OK);
      if (relayAuth === 'secret') expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(raw.frames).toEqual([]);
      raw.close();
    }
    // The real im-1 kept its stream: its traffic still flows.
    await dmArrives();
    expect(bob.eventsOf('server:draining')).toEqual([]);
    if (relayAuth === 'secret') {
      const log = fs.readFileSync(path.join(LOG_DIR, `${name}-gw-1.log`), 'utf8');
      expect(log.match(/relay stream refused: not authenticated/g)).toHaveLength(1);
    }
  });

  it('does not let valid credentials for one node claim another node id', async () => {
    const raw = openRawRelay(cluster, { nodeId: 'im-1' });
    raw.send({ hello: { nodeId: 'im-2', rooms: [`user:${bob.id}`] } });
    expect((await raw.status).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await raw.welcome()).toBeNull();
    raw.close();
    // im-2's own stream was not taken over.
    await dmArrives();
  });

  it('drops frames with bad payloads from an authenticated peer; the receiving node stays up', async () => {
    const raw = openRawRelay(cluster, { nodeId: 'im-rogue' });
    raw.send({ hello: { nodeId: 'im-rogue', rooms: [] } });
    expect((await raw.welcome())?.gatewayId).toBe('gw-1');
    const id = uniqueName('bad');
    forgedIds.push(id);
    const to = [`user:${bob.id}`];
    const message = forgedMessage(id);
    raw.send(
      { publish: { rooms: to, event: 'message:new', payload: jsonBytes({ ...message, seq: 'one' }), messageId: id } },
      { publish: { rooms: to, event: 'message:new', payload: Buffer.from('{not json'), messageId: `${id}-j` } },
      { publish: { rooms: to, event: 'server:draining', payload: jsonBytes({ reconnectAfterMs: 0 }), messageId: `${id}-d` } },
      { publish: { rooms: to, event: 'no:such:event', payload: jsonBytes({}), messageId: `${id}-u` } },
      { publish: { rooms: ['not a room'], event: 'typing', payload: jsonBytes({ conversationId: 'x', userId: 'y' }), messageId: `${id}-r` } },
      // The sentinel: a well-formed frame on the same stream, after the bad ones.
      { publish: { rooms: to, event: 'typing', payload: jsonBytes({ conversationId: directConversationId(alice.id, bob.id), userId: id }), messageId: `${id}-t` } },
    );
    await bob.waitForEvent('typing', (t) => t.userId === id);
    expect(bob.eventsOf('server:draining')).toEqual([]);
    expect(bob.received.map((m) => m.id)).not.toContain(id);
    raw.close();
    expect(at(cluster.nodes, 1, 'IM node').child.exitCode).toBeNull();
    await dmArrives();
    const log = fs.readFileSync(path.join(LOG_DIR, `${name}-im-2.log`), 'utf8');
    expect(log).toContain('dropped an invalid relay frame');
  });

  it('applies a relayed room join only for members: an outsider is not put into a private group', async () => {
    const { group } = await alice.ok('group:create', { name: uniqueName('private') });
    const raw = openRawRelay(cluster, { nodeId: 'im-rogue' });
    raw.send({ hello: { nodeId: 'im-rogue', rooms: [] } });
    expect(await raw.welcome()).not.toBeNull();
    const marker = uniqueName('after-join');
    raw.send(
      { publish: { rooms: [`user:${bob.id}`], event: 'room:join', payload: jsonBytes({ users: [bob.id], room: `group:${group.id}` }), messageId: uniqueName('j'), grantRoom: `group:${group.id}` } },
      { publish: { rooms: [`user:${bob.id}`], event: 'typing', payload: jsonBytes({ conversationId: directConversationId(alice.id, bob.id), userId: marker }), messageId: uniqueName('t') } },
    );
    // Applied in order: once the marker is in, the join was checked (and refused).
    await bob.waitForEvent('typing', (t) => t.userId === marker);
    raw.close();
    const secret = await alice.sendText({ type: 'group', id: group.id }, 'members only');
    forgedIds.push(secret.id);
    await dmArrives(); // same path as the group post, sent after it
    expect(bob.received.map((m) => m.id)).not.toContain(secret.id);
  });
});
