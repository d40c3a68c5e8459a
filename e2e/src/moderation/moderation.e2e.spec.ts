import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestModerationService, type TestModerationAnswer } from '@parley/moderation/testing';
import { verifySignature } from '@parley/moderation';
import type { BeforeSendRequest } from '@parley/domain';
import type { AuthResult, Message, NewMessageTarget } from '@parley/protocol';
import { TEST_PASSWORD, at, startCluster, waitFor, type Cluster } from '@parley/testing';
import { TestUser, befriend, uniqueName } from '../support/test-user';

jest.setTimeout(90_000);

const LOG_DIR = path.resolve(__dirname, '../../../tmp/cluster-logs');
const SECRET = 'moderation-e2e-webhook-secret';
const WORDS = '# listed for the moderation e2e\nforbidden\n禁止词\n';

/** How the test's moderation service answers, by what the text says. */
function answerFor(request: BeforeSendRequest): TestModerationAnswer {
  if (request.text.includes('reject-me')) return { json: { action: 'reject', reason: 'not in this chat' } };
  if (request.text.includes('replace-me')) return { json: { action: 'replace', text: 'replaced by the service' } };
  if (request.text.includes('slow')) return 'hang';
  return { json: { action: 'allow' } };
}

function writeWordsFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-moderation-e2e-'));
  const file = path.join(dir, 'words.txt');
  fs.writeFileSync(file, WORDS);
  return file;
}

/** The texts of a conversation's log as `user` reads it (history:fetch). */
async function logTexts(user: TestUser, conversationId: string): Promise<string[]> {
  const page = await user.ok('history:fetch', { conversationId, afterSeq: 0, limit: 100 });
  return page.messages.map((m) => m.body.text);
}

async function register(gatewayUrl: string, displayName: string): Promise<{ status: number; body: AuthResult & { code?: string }; username: string }> {
  const username = uniqueName('named');
  const res = await fetch(`${gatewayUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD, displayName }),
  });
  return { status: res.status, body: (await res.json()) as AuthResult & { code?: string }, username };
}

/** Two friends, alice on node 0 and bob on node 1. */
async function pair(cluster: Cluster, users: TestUser[]): Promise<{ alice: TestUser; bob: TestUser; toBob: NewMessageTarget }> {
  const alice = await TestUser.register(cluster.gatewayUrl, 'moda');
  const bob = await TestUser.register(cluster.gatewayUrl, 'modb');
  users.push(alice, bob);
  await alice.connect(at(cluster.nodes, 0, 'IM node').url);
  await bob.connect(at(cluster.nodes, 1, 'IM node').url);
  await befriend(alice, bob);
  return { alice, bob, toBob: { type: 'user', id: bob.id } };
}

function sendAck(user: TestUser, to: NewMessageTarget, text: string, clientMsgId = uniqueName('c')) {
  return user.command('message:send', { to, clientMsgId, kind: 'text', body: { text } });
}

describe('moderation on real processes (a gateway, two IM nodes)', () => {
  let service: TestModerationService;
  let wordsFile: string;
  beforeAll(async () => {
    service = await TestModerationService.start(answerFor);
    wordsFile = writeWordsFile();
  });
  afterAll(async () => {
    await service?.close();
    if (wordsFile) fs.rmSync(path.dirname(wordsFile), { recursive: true, force: true });
  });

  describe('reject mode, fail-closed webhook', () => {
    const NAME = 'moderation-closed';
    let cluster: Cluster;
    const users: TestUser[] = [];

    beforeAll(async () => {
      const words = { PARLEY_SENSITIVE_WORDS_FILE: wordsFile, PARLEY_SENSITIVE_WORDS_MODE: 'reject' };
      cluster = await startCluster({
        nodes: 2,
        name: NAME,
        gatewayEnv: words,
        nodeEnv: {
          ...words,
          PARLEY_WEBHOOK_BEFORE_SEND: service.url,
          PARLEY_WEBHOOK_SECRET: SECRET,
          // Generous: every allowed message must be answered in time on a loaded machine; only a hung request waits it out.
          PARLEY_WEBHOOK_TIMEOUT_MS: '3000',
          PARLEY_WEBHOOK_FAIL: 'closed',
        },
      });
    }, 120_000);
    afterEach(() => {
      for (const u of users.splice(0)) u.disconnect();
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('refuses a message holding a listed word with CONTENT_REJECTED, stores nothing and never asks the webhook', async () => {
      const { alice, bob, toBob } = await pair(cluster, users);
      const first = await alice.sendText(toBob, 'hello');
      for (const text of ['this is FORBIDDEN', '这里有禁止词', 'ｆｏｒｂｉｄｄｅｎ in full width']) {
        const ack = await sendAck(alice, toBob, text);
        expect(ack).toMatchObject({ ok: false, error: { code: 'CONTENT_REJECTED' } });
      }
      // A later message arrives, the refused ones never did, and the log holds only what was accepted.
      await alice.sendText(toBob, 'after');
      await bob.waitForMessage((m) => m.body.text === 'after');
      expect(bob.received.map((m) => m.body.text)).toEqual(['hello', 'after']);
      expect(await logTexts(bob, first.conversationId)).toEqual(['hello', 'after']);
      expect(service.calls.map((c) => c.request.text)).not.toEqual(expect.arrayContaining([expect.stringMatching(/forbidden|禁止词/i)]));
    });

    it('refuses a message the webhook rejects, naming its reason; every request is signed', async () => {
      const { alice, bob, toBob } = await pair(cluster, users);
      const first = await alice.sendText(toBob, 'hi there');
      const ack = await sendAck(alice, toBob, 'please reject-me');
      expect(ack).toMatchObject({ ok: false, error: { code: 'CONTENT_REJECTED', message: expect.stringContaining('not in this chat') } });
      expect(await logTexts(bob, first.conversationId)).toEqual(['hi there']);
      const asked = service.calls.find((c) => c.request.text === 'please reject-me');
      expect(asked?.request).toMatchObject({ senderId: alice.id, conversationId: first.conversationId, conversationType: 'direct', kind: 'text' });
      expect(service.calls.every((c) => verifySignature(SECRET, c.body, c.signature))).toBe(true);
    });

    it('answers UNAVAILABLE when the webhook does not answer in time, stores nothing, and logs no text', async () => {
      const { alice, bob, toBob } = await pair(cluster, users);
      const first = await alice.sendText(toBob, 'before the pause');
      const text = `a slow message ${uniqueName('t')}`;
      const ack = await sendAck(alice, toBob, text);
      expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      expect(await logTexts(bob, first.conversationId)).toEqual(['before the pause']);
      const logs = () => ['im-1', 'im-2'].map((id) => fs.readFileSync(path.join(LOG_DIR, `${NAME}-${id}.log`), 'utf8')).join('\n');
      await waitFor('the webhook failure logged', () => logs().includes('fail-closed') || undefined);
      expect(logs()).not.toContain(text);
    });

    it('refuses a display name or a group name holding a listed word (422 on REST), storing nothing', async () => {
      const refused = await register(cluster.gatewayUrl, 'the Forbidden one');
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('CONTENT_REJECTED');
      const login = await fetch(`${cluster.gatewayUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: refused.username, password: TEST_PASSWORD }),
      });
      expect(login.status).toBe(401);

      const { alice } = await pair(cluster, users);
      const auth = { authorization: `Bearer ${alice.auth.token}`, 'content-type': 'application/json' };
      const patch = await fetch(`${cluster.gatewayUrl}/api/me`, { method: 'PATCH', headers: auth, body: JSON.stringify({ displayName: '禁止词' }) });
      expect(patch.status).toBe(422);
      const me = (await (await fetch(`${cluster.gatewayUrl}/api/me`, { headers: auth })).json()) as { user: { displayName: string } };
      expect(me.user.displayName).toBe(alice.auth.user.displayName);

      expect(await alice.command('group:create', { name: 'forbidden club' })).toMatchObject({ ok: false, error: { code: 'CONTENT_REJECTED' } });
      expect((await alice.ok('group:list', {})).groups).toEqual([]);
    });
  });

  describe('mask mode, fail-open webhook', () => {
    let cluster: Cluster;
    const users: TestUser[] = [];

    beforeAll(async () => {
      const words = { PARLEY_SENSITIVE_WORDS_FILE: wordsFile, PARLEY_SENSITIVE_WORDS_MODE: 'mask' };
      cluster = await startCluster({
        nodes: 2,
        name: 'moderation-open',
        gatewayEnv: words,
        nodeEnv: { ...words, PARLEY_WEBHOOK_BEFORE_SEND: service.url, PARLEY_WEBHOOK_TIMEOUT_MS: '3000', PARLEY_WEBHOOK_FAIL: 'open' },
      });
    }, 120_000);
    afterEach(() => {
      for (const u of users.splice(0)) u.disconnect();
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('delivers the masked text on the other node; the webhook sees only the masked text', async () => {
      const { alice, bob, toBob } = await pair(cluster, users);
      const sent = await alice.sendText(toBob, 'you are Forbidden, 禁止词!');
      expect(sent.body.text).toBe('you are *********, ***!');
      const atBob = await bob.waitForMessage((m: Message) => m.id === sent.id);
      expect(atBob.body.text).toBe('you are *********, ***!');
      expect(service.calls.find((c) => c.request.clientMsgId === sent.clientMsgId)?.request.text).toBe('you are *********, ***!');
    });

    it('delivers a message the webhook does not answer in time (fail-open), and stores a replacement it gives', async () => {
      const { alice, bob, toBob } = await pair(cluster, users);
      const slow = await alice.sendText(toBob, 'a slow but fine message');
      expect((await bob.waitForMessage((m) => m.id === slow.id)).body.text).toBe('a slow but fine message');
      const replaced = await alice.sendText(toBob, 'please replace-me');
      expect((await bob.waitForMessage((m) => m.id === replaced.id)).body.text).toBe('replaced by the service');
    });

    it('answers a retried send from the store without asking the webhook again', async () => {
      const { alice, toBob } = await pair(cluster, users);
      const clientMsgId = uniqueName('retry');
      const first = await sendAck(alice, toBob, 'once only', clientMsgId);
      const again = await sendAck(alice, toBob, 'once only', clientMsgId);
      expect(again).toEqual(first);
      expect(service.calls.filter((c) => c.request.clientMsgId === clientMsgId)).toHaveLength(1);
    });

    it('masks listed words in display names and group names', async () => {
      const named = await register(cluster.gatewayUrl, 'Mr Forbidden');
      expect(named.status).toBe(201);
      expect(named.body.user.displayName).toBe('Mr *********');
      const { alice } = await pair(cluster, users);
      const { group } = await alice.ok('group:create', { name: '禁止词 club' });
      expect(group.name).toBe('*** club');
      expect((await alice.ok('group:update', { groupId: group.id, name: 'the forbidden corner' })).group.name).toBe('the ********* corner');
    });
  });
});
