import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';
import { uniqueName } from './support/test-user';

jest.setTimeout(120_000);

/**
 * Limits small enough for a test (the defaults are in README "Limits"). The
 * backoff gate stays shut far longer than a burst takes to arrive and be
 * checked, even on a loaded machine, so what each test sees does not depend
 * on how fast the requests went; the owner waits it out once.
 */
const BACKOFF_SEC = 20;
const IP_FAILURES = 15;
/** Failed logins on one account from all addresses before its account-wide backoff (above the 11 one address gets checked). */
const ACCOUNT_FREE_FAILURES = 20;
const REGISTER_PER_IP = 3;

interface Answer {
  status: number;
  body: { code?: string; retryAfterMs?: number; token?: string };
  retryAfterHeader: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Attackers and users on two gateways that share the cluster's Redis. The
 * gateways trust loopback as a proxy (PARLEY_TRUST_PROXY), so each request
 * names its client address in X-Forwarded-For, as nginx would.
 */
describe('login and registration limits shared by two gateways (MySQL, Redis)', () => {
  let cluster: Cluster;
  let nextAddress = 0;
  /** A client address no other test uses. */
  const address = (): string => `198.18.${Math.floor(++nextAddress / 250)}.${(nextAddress % 250) + 1}`;

  const post = async (gateway: number, path: string, body: unknown, clientIp: string): Promise<Answer> => {
    const res = await fetch(`${at(cluster.gatewayUrls, gateway % 2, 'gateway')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'], retryAfterHeader: res.headers.get('retry-after') };
  };
  const login = (gateway: number, username: string, password: string, clientIp: string) =>
    post(gateway, '/api/auth/login', { username, password }, clientIp);
  const register = async (username: string): Promise<void> => {
    const res = await post(0, '/api/auth/register', { username, password: TEST_PASSWORD }, address());
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 1,
      gateways: 2,
      name: 'login-throttle-e2e',
      gatewayEnv: {
        PARLEY_TRUST_PROXY: 'loopback',
        PARLEY_LOGIN_BACKOFF_BASE_SEC: String(BACKOFF_SEC),
        PARLEY_LOGIN_BACKOFF_MAX_SEC: String(BACKOFF_SEC),
        PARLEY_LOGIN_IP_FAILURES: String(IP_FAILURES),
        PARLEY_LOGIN_ACCOUNT_FREE_FAILURES: String(ACCOUNT_FREE_FAILURES),
        PARLEY_REGISTER_PER_IP: String(REGISTER_PER_IP),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('checks 11 of 100 parallel wrong passwords sent to both gateways, refuses the rest with a wait, then lets the owner in', async () => {
    const username = uniqueName('vic');
    await register(username);
    const attacker = address();

    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(i, username, `wrong-guess-${i}`, attacker)));
    const checked = answers.filter((a) => a.status === 401);
    const refused = answers.filter((a) => a.status === 429);
    expect(checked.length + refused.length).toBe(100);
    // 10 free failures, then one guess past the gate; every other one is refused before its hash is checked.
    expect(checked.length).toBe(11);
    for (const a of checked) expect(a.body.code).toBe('INVALID_CREDENTIALS');
    for (const a of refused) {
      expect(a.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(a.body.retryAfterMs).toBeGreaterThan(0);
      expect(a.retryAfterHeader).toMatch(/^\d+$/);
    }

    // The owner, behind the same address, is told to wait (even the right password learns nothing)...
    const told = await login(1, username, TEST_PASSWORD, attacker);
    expect(told).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    // ...and gets in once that wait is over: a backoff, not a lockout.
    await sleep((told.body.retryAfterMs ?? 0) + 50);
    const owner = await login(0, username, TEST_PASSWORD, attacker);
    expect(owner.status).toBe(200);
    expect(owner.body.token).toEqual(expect.any(String));
  });

  it('lets the owner in from an address they signed in from before while guessers on many addresses hold the account-wide gate shut', async () => {
    const username = uniqueName('own');
    await register(username);
    const home = address();
    await expect(login(0, username, TEST_PASSWORD, home)).resolves.toMatchObject({ status: 200 });

    // One guess from each of many addresses, on both gateways: each far below its own limits.
    const guessers = Array.from({ length: ACCOUNT_FREE_FAILURES + 10 }, () => address());
    const answers = await Promise.all(guessers.map((ip, i) => login(i, username, `wrong-guess-${i}`, ip)));
    // The free failures, then one guess past the account-wide gate, which it leaves shut.
    expect(answers.filter((a) => a.status === 401)).toHaveLength(ACCOUNT_FREE_FAILURES + 1);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(9);
    // An address the account never signed in from is refused, right password or not.
    await expect(login(1, username, TEST_PASSWORD, address())).resolves.toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });

    // The owner's own address is known to the account (on either gateway): no lockout while the attack goes on.
    const owner = await login(1, username, TEST_PASSWORD, home);
    expect(owner.status).toBe(200);
    expect(owner.body.token).toEqual(expect.any(String));
    await expect(login(0, username, TEST_PASSWORD, home)).resolves.toMatchObject({ status: 200 });
    await expect(login(0, username, 'still-guessing', address())).resolves.toMatchObject({ status: 429 });
  });

  it('refuses one address spraying many accounts once its failures per window are used, on either gateway, and not other addresses', async () => {
    const sprayer = address();
    const names = Array.from({ length: 2 * IP_FAILURES }, () => uniqueName('spr'));
    const answers = await Promise.all(names.map((name, i) => login(i, name, 'one-common-guess', sprayer)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(IP_FAILURES);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(IP_FAILURES);
    for (const a of refused) expect(a.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    await expect(login(1, uniqueName('spr'), 'one-common-guess', sprayer)).resolves.toMatchObject({ status: 429 });

    // Someone else is untouched: their mistakes are their own, and their right password works.
    const honest = uniqueName('hon');
    await register(honest);
    const elsewhere = address();
    await expect(login(0, honest, 'a-typo-password', elsewhere)).resolves.toMatchObject({ status: 401 });
    await expect(login(1, honest, TEST_PASSWORD, elsewhere)).resolves.toMatchObject({ status: 200 });
  });

  it('answers parallel registrations from one address beyond the limit with 429 and creates none of those accounts', async () => {
    const crowd = address();
    const names = Array.from({ length: 10 }, () => uniqueName('reg'));
    const answers = await Promise.all(names.map((username, i) => post(i, '/api/auth/register', { username, password: TEST_PASSWORD }, crowd)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(REGISTER_PER_IP);
    const refusedNames = names.filter((_, i) => at(answers, i, 'answer').status === 429);
    expect(refusedNames).toHaveLength(names.length - REGISTER_PER_IP);
    for (const a of answers.filter((a) => a.status === 429)) expect(a.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // Had a refused registration created its account, registering the name again would be 409.
    for (const username of refusedNames) {
      await expect(post(1, '/api/auth/register', { username, password: TEST_PASSWORD }, address())).resolves.toMatchObject({ status: 201 });
    }
  });

  it('gives username variants no limit of their own: lookalikes are refused by the username rule, case variants share the account', async () => {
    const username = uniqueName('vnt');
    await register(username);
    const attacker = address();
    // Lookalikes that MySQL's collation used to match are not valid usernames: 400, nothing checked or counted.
    const fullwidth = [...username].map((c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)).join('');
    for (const variant of [`${username} `, username.replace('v', 'ï'), fullwidth]) {
      for (const gateway of [0, 1]) {
        await expect(login(gateway, variant, TEST_PASSWORD, attacker)).resolves.toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
      }
      await expect(post(0, '/api/auth/register', { username: variant, password: TEST_PASSWORD }, address())).resolves.toMatchObject({ status: 400 });
    }
    await expect(post(1, '/api/auth/register', { username: username.toUpperCase(), password: TEST_PASSWORD }, address())).resolves.toMatchObject({
      status: 409,
      body: { code: 'USERNAME_TAKEN' },
    });

    // Use up the account's free failures and the one past them with one spelling...
    for (let i = 0; i < 11; i++) await expect(login(i, username, `wrong-${i}-password`, attacker)).resolves.toMatchObject({ status: 401 });
    // ...and another spelling of the same name finds the gate shut.
    await expect(login(0, username.toUpperCase(), `wrong-x-password`, attacker)).resolves.toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    await expect(login(1, username.toUpperCase(), TEST_PASSWORD, attacker)).resolves.toMatchObject({ status: 429 });
  });
});
