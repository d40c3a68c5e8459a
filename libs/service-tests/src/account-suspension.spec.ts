import { AdminService, SessionGate, type AccountService, type AuthSessionService, type Store } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import type { SessionEndReason } from '@parley/protocol';
import { TEST_PASSWORD } from '@parley/testing';
import { createAccountWorld } from './support/account-world';

/** Suspension end to end over the SQLite engine: the admin service, sign-in, refresh and socket admission. */
describe('a suspended account', () => {
  const client = { ip: '203.0.113.9' };
  const clock = { now: () => 1_700_000_000_000 };
  let store: Store;
  let accounts: AccountService;
  let sessions: AuthSessionService;
  let gate: SessionGate;
  let admin: AdminService;
  let ended: { userId: string; sessionIds: readonly string[]; reason: SessionEndReason }[];

  beforeEach(async () => {
    ended = [];
    const sessionEnds = { sessionsEnded: async (userId: string, sessionIds: readonly string[], reason: SessionEndReason) => void ended.push({ userId, sessionIds, reason }) };
    const world = await createAccountWorld({ clock, sessionEnds });
    ({ store, accounts, sessions } = world);
    const { tokens, throttles } = world;
    gate = new SessionGate({ tokens, store, clock });
    const fleet = { gatewayId: 'gw-1', nodeReports: () => [], connectedNodes: () => [], sendAdmin: () => [], broadcastAdmin: () => [] };
    admin = new AdminService({ store, sessionEnds, fleet, throttles, clock, ids: sequenceIds('a'), adminUsernames: ['root'] });
  });

  afterEach(() => store.close());

  it('loses its sessions at once, is told ACCOUNT_SUSPENDED only with the right password, and signs in again once unsuspended', async () => {
    const root = await accounts.register({ username: 'root', password: TEST_PASSWORD }, client);
    const ann = await accounts.register({ username: 'ann', password: TEST_PASSWORD }, client);
    const other = await accounts.login({ username: 'ann', password: TEST_PASSWORD }, client);
    const actor = await admin.authorize(root.user.id, 'user:suspend');

    await expect(admin.suspend(actor, ann.user.id, 'spam')).resolves.toMatchObject({ sessionsEnded: 2, user: { suspendedAt: clock.now() } });
    expect(ended).toEqual([{ userId: ann.user.id, sessionIds: expect.arrayContaining([ann.sessionId, other.sessionId]), reason: 'suspended' }]);
    await expect(gate.admit(ann.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(sessions.authenticate(other.token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(sessions.refresh(ann.refreshToken ?? '')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(accounts.login({ username: 'ann', password: TEST_PASSWORD }, client)).rejects.toMatchObject({ code: 'ACCOUNT_SUSPENDED' });
    await expect(accounts.login({ username: 'ann', password: 'wrong-password-1' }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    // The store refuses a session for a suspended user even if a login got past the check.
    const record = await store.getUser(ann.user.id);
    await expect(sessions.start(record ?? { id: '', username: '', passwordHash: '' }, null)).rejects.toMatchObject({ code: 'ACCOUNT_SUSPENDED' });

    await admin.unsuspend(actor, ann.user.id);
    const back = await accounts.login({ username: 'ann', password: TEST_PASSWORD }, client);
    await expect(gate.admit(back.token)).resolves.toMatchObject({ userId: ann.user.id });
  });

  it('an admin in the store keeps or loses access as the store says, on the next request', async () => {
    const bob = await accounts.register({ username: 'bob', password: TEST_PASSWORD }, client);
    await expect(admin.authorize(bob.user.id, 'fleet:read')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await store.setUserAdmin(bob.user.id, true);
    await expect(admin.authorize(bob.user.id, 'fleet:read')).resolves.toMatchObject({ username: 'bob' });
    await store.setUserAdmin(bob.user.id, false);
    await expect(admin.authorize(bob.user.id, 'fleet:read')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
