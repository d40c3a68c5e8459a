import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ParleyError, type AuthResult } from '@parley/client';
import type { BrowserSession } from './session';
import { ChatStore } from './store';

const ANN: AuthResult = { user: { id: 'u1', username: 'ann', displayName: 'Ann' }, token: 'access-1', expiresAt: Date.now() + 600_000, sessionId: 's1', refreshExpiresAt: 0 };
const BOB: AuthResult = { user: { id: 'u2', username: 'bob', displayName: 'Bob' }, token: 'access-bob', expiresAt: Date.now() + 600_000, sessionId: 's9', refreshExpiresAt: 0 };

const problem = (status: number, code: string): Response => new Response(JSON.stringify({ status, code, detail: code.toLowerCase() }), { status });

/**
 * A store over a gateway that answers each path as `answers` says (a path it
 * does not know: 404), whose cookie session renews as `renew` says; what the
 * app is told on sign-out lands in `notices`.
 */
function storeWith(answers: Record<string, () => Response>, renew: () => Promise<AuthResult>) {
  const calls: string[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const path = new URL(String(input as string)).pathname;
    calls.push(path);
    return (answers[path] ?? (() => problem(404, 'NOT_FOUND')))();
  });
  const notices: (string | undefined)[] = [];
  const auth = { renew } as unknown as BrowserSession;
  const store = new ChatStore(ANN, 'http://gw', auth, (notice) => notices.push(notice), () => true);
  return { store, notices, calls };
}

const over = (): Promise<AuthResult> => Promise.reject(new ParleyError('UNAUTHORIZED', 'session ended'));

describe('ChatStore ending the session on purpose', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('does not claim "signed out on every device" when this session had already ended and nothing was done', async () => {
    const { store, notices, calls } = storeWith({ '/api/auth/logout-all': () => problem(401, 'UNAUTHORIZED') }, over);
    await store.account.logoutEverywhere();
    expect(calls).toEqual(['/api/auth/logout-all']);
    expect(notices).toEqual(['Your session had already ended — sign in again to do this.']);
  });

  it('does not claim "account deleted" when this session had already ended and nothing was done', async () => {
    const { store, notices } = storeWith({ '/api/me': () => problem(401, 'UNAUTHORIZED') }, over);
    await store.account.deleteAccount('pw');
    expect(notices).toEqual(['Your session had already ended — sign in again to do this.']);
  });

  it('says so when signing out everywhere or deleting the account worked', async () => {
    const everywhere = storeWith({ '/api/auth/logout-all': () => new Response(null, { status: 204 }) }, over);
    await everywhere.store.account.logoutEverywhere();
    expect(everywhere.notices).toEqual(['You signed out on every device.']);
    jest.restoreAllMocks();
    const deleted = storeWith({ '/api/me': () => new Response(null, { status: 204 }) }, over);
    await deleted.store.account.deleteAccount('pw');
    expect(deleted.notices).toEqual(['Your account was deleted.']);
  });

  it('takes a session already over as a done plain logout (that is all it wanted)', async () => {
    const { store, notices } = storeWith({ '/api/auth/logout': () => problem(401, 'UNAUTHORIZED') }, over);
    await store.account.logout();
    expect(notices).toEqual([undefined]);
  });

  it('keeps the session when the request failed for another reason', async () => {
    const { store, notices } = storeWith({ '/api/me': () => problem(401, 'INVALID_CREDENTIALS') }, over);
    await expect(store.account.deleteAccount('wrong')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(notices).toEqual([]);
  });
});

describe('ChatStore when the shared cookie holds another sign-in', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('signs out instead of carrying on as the account another tab signed in with', async () => {
    const { store, notices } = storeWith({}, () => Promise.resolve(BOB));
    expect(await store.client.refreshToken()).toBe(false);
    expect(store.client.session?.user.id).toBe('u1');
    expect(store.client.session?.token).toBe('access-1');
    expect(notices).toEqual(['You signed in with another account in another tab.']);
  });

  it('goes on with a renewal of the same account (another session of it is fine)', async () => {
    const { store, notices } = storeWith({}, () => Promise.resolve({ ...ANN, token: 'access-2', sessionId: 's2' }));
    expect(await store.client.refreshToken()).toBe(true);
    expect(store.client.session?.token).toBe('access-2');
    expect(notices).toEqual([]);
    await store.stop();
  });
});
