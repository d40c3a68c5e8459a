import { ParleyError } from '@parley/protocol';
import { TEST_PASSWORD } from '@parley/testing';
import { ZxcvbnPasswordPolicy } from './password-policy.zxcvbn';

describe('ZxcvbnPasswordPolicy', () => {
  // Loading the dictionaries is the slow part: once for the file, as in a process.
  const policy = new ZxcvbnPasswordPolicy();
  const alice = { username: 'alice_w' };

  function refusal(password: string, context: { username: string; displayName?: string } = alice): string | undefined {
    try {
      policy.check(password, context);
      return undefined;
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      expect(err.code).toBe('INVALID_ARGUMENT');
      return err.message;
    }
  }

  it.each(['password', '12345678', 'qwertyui', '1qaz2wsx3edc', 'Password1', 'P4ssw0rd', 'drowssap', 'iloveyou', 'football'])(
    'refuses the common password %p as too common',
    (password) => {
      expect(refusal(password)).toBe('password: too common');
    },
  );

  it.each(['alice_w', 'ALICE_W', 'my-alice_w-secret-99', 'ａｌｉｃｅ＿ｗ-fullwidth-77'])('refuses %p for holding the username, ignoring case and width', (password) => {
    expect(refusal(password)).toBe('password: must not contain the username');
  });

  it.each(['Summer2024!', 'monkey123!', 'qwertyuiop12', 'abcdefghijk', 'aaaaaaaaaaaa', 'zxcvbnm,./', 'parley2024', 'iloveparley'])('refuses %p as too easy to guess', (password) => {
    expect(refusal(password)).toMatch(/^password: too easy to guess/);
  });

  it('counts the display name as easy to guess', () => {
    const context = { username: 'wbx_81', displayName: 'Marmaduke Fenwick' };
    expect(refusal('MarmadukeFenwick', context)).toMatch(/^password: too easy to guess/);
    expect(refusal('MarmadukeFenwick', { username: 'wbx_81' })).toBeUndefined();
  });

  it.each([TEST_PASSWORD, 'correct horse battery staple', 'Blue-Kettle-Moon-7', 'k8#Lq2!vZp9@Wm4$', 'ünïcödé-pässwört-Ωmega'])('accepts the strong password %p', (password) => {
    expect(refusal(password)).toBeUndefined();
  });

  it('scores a long password by its prefix, quickly, so a crafted one cannot stall the event loop', () => {
    const crafted = '1q2w3e4r'.repeat(32); // 256 characters, the schema's maximum
    const started = performance.now();
    expect(refusal(crafted)).toMatch(/^password: too easy to guess/);
    // Unbounded, this took 1.5 s; scored on its 64-character prefix, about 0.1 s on a busy machine.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refusal(`${TEST_PASSWORD}${'1q2w3e4r'.repeat(20)}`)).toBeUndefined();
  });

  it('takes a lower bar when configured with one', () => {
    const lenient = new ZxcvbnPasswordPolicy({ minScore: 2 });
    expect(() => lenient.check('Summer2024!', alice)).not.toThrow();
    expect(() => lenient.check('password', alice)).toThrow('password: too common');
  });
});
