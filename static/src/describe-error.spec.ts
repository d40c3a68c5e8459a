import { describe as suite, expect, it } from '@jest/globals';
import { ParleyError, sessionEndReasonSchema } from '@parley/protocol';
import { describe, describeAccountError, describeAuthError, describeSessionEnd } from './describe-error';

suite('describe (an error, for a person)', () => {
  it('gives a friendly sentence for transient server errors', () => {
    expect(describe(new ParleyError('UNAVAILABLE', 'node down'))).toBe('The server is unavailable right now. Try again in a moment.');
  });

  it("passes on the server's own reason for a refusal, capitalized", () => {
    expect(describe(new ParleyError('FORBIDDEN', 'you are blocked'))).toBe('You are blocked');
    expect(describe(new ParleyError('INVALID_ARGUMENT', 'name too long'))).toBe('Name too long');
  });

  it('falls back to the message of any other error', () => {
    expect(describe(new Error('boom'))).toBe('boom');
    expect(describe('plain')).toBe('plain');
  });

  it('says how long to wait when the server limits the rate, rounded up to whole seconds or minutes', () => {
    expect(describe(new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 4_200 }))).toBe('Too many attempts. Try again in 5 s.');
    expect(describe(new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 300_000 }))).toBe('Too many attempts. Try again in 5 min.');
    expect(describe(new ParleyError('RATE_LIMITED', 'slow down'))).toBe('Too many attempts. Wait a moment and try again.');
  });

  it('names the field the server refused in words, with the rule the server gave', () => {
    expect(describe(new ParleyError('INVALID_ARGUMENT', 'newPassword: must be at least 8 characters'))).toBe('New password must be at least 8 characters');
    expect(describe(new ParleyError('INVALID_ARGUMENT', 'password: too common'))).toBe('Password is too common');
    expect(describe(new ParleyError('INVALID_ARGUMENT', 'password: must not contain the username'))).toBe('Password must not contain the username');
    expect(describe(new ParleyError('INVALID_ARGUMENT', 'avatarUrl: Invalid URL'))).toBe('Avatar URL: Invalid URL');
  });

  it('explains a display name refused for invisible or direction-changing characters', () => {
    const err = new ParleyError('INVALID_ARGUMENT', 'displayName: must not contain control, zero-width or direction-override characters');
    expect(describe(err)).toBe('Display name must not contain invisible characters (control, zero-width or text-direction characters)');
  });

  it("says a body refused for its size is too large, from the gateway's problem or a proxy's bare 413", () => {
    expect(describe(new ParleyError('PAYLOAD_TOO_LARGE', 'body: larger than the 64kb the gateway reads'))).toBe('That is too large to send.');
    expect(describe(new ParleyError('INTERNAL', 'HTTP 413'))).toBe('That is too large to send.');
  });

  it('tells a signed-out session to sign in again', () => {
    expect(describe(new ParleyError('UNAUTHORIZED', 'token expired'))).toBe('Your session has ended. Please sign in again.');
  });
});

suite('describeAuthError (the sign-in form)', () => {
  it('says wrong credentials without telling which part was wrong', () => {
    expect(describeAuthError(new ParleyError('INVALID_CREDENTIALS', 'invalid credentials'))).toBe('Wrong username or password.');
  });

  it('asks to check the form for a refused field, naming the rule', () => {
    expect(describeAuthError(new ParleyError('INVALID_ARGUMENT', 'password: must not be the username'))).toBe('Please check the form: Password must not be the username');
  });

  it('says a throttled sign-in may try again after the wait', () => {
    expect(describeAuthError(new ParleyError('RATE_LIMITED', 'too many', { retryAfterMs: 30_000 }))).toBe('Too many attempts. Try again in 30 s.');
  });

  it('says a suspended account cannot sign in until an operator lifts it', () => {
    expect(describeAuthError(new ParleyError('ACCOUNT_SUSPENDED', 'account suspended'))).toBe(
      'This account is suspended by an operator of this server. You cannot sign in until the suspension is lifted.',
    );
  });

  it('says the server is unreachable, and something went wrong for anything unknown', () => {
    expect(describeAuthError(new ParleyError('UNAVAILABLE', 'gateway unreachable'))).toBe('Cannot reach the server right now. Try again in a moment.');
    expect(describeAuthError(new TypeError('x is undefined'))).toBe('Something went wrong. Please try again.');
  });
});

suite('describeAccountError (an action confirmed with the password)', () => {
  it('says the password given is not the current one', () => {
    expect(describeAccountError(new ParleyError('INVALID_CREDENTIALS', 'invalid credentials'))).toBe('That is not your current password.');
  });

  it("passes the server's password rule on", () => {
    expect(describeAccountError(new ParleyError('INVALID_ARGUMENT', 'password: too easy to guess; a few unrelated words make a strong one'))).toBe(
      'Password is too easy to guess; a few unrelated words make a strong one',
    );
  });
});

suite('describeSessionEnd (why this device was signed out)', () => {
  it('has a sentence for every reason the protocol knows', () => {
    for (const reason of sessionEndReasonSchema.options) expect(describeSessionEnd(reason)).toMatch(/\.$/);
  });

  it('says a password change elsewhere signed this device out', () => {
    expect(describeSessionEnd('password-changed')).toBe('You were signed out on this device because your password was changed.');
  });

  it('says a session used from somewhere else was ended, not that the person signed out', () => {
    expect(describeSessionEnd('refresh-reused')).toBe(
      'You were signed out because this session was used from somewhere else. Sign in again and consider changing your password.',
    );
    expect(describeSessionEnd('refresh-reused')).not.toBe(describeSessionEnd('logout'));
  });

  it("says an operator ended the session: disconnected may sign in again, suspended may not", () => {
    expect(describeSessionEnd('disconnected')).toBe('An operator of this server disconnected you. You can sign in again.');
    expect(describeSessionEnd('suspended')).toBe('Your account was suspended by an operator of this server. You cannot sign in until the suspension is lifted.');
  });

  it('asks to sign in again when the session could not be renewed', () => {
    expect(describeSessionEnd(undefined)).toBe('Your session has ended. Please sign in again.');
  });

  it('words the pin limit itself, and keeps other conflicts in the server words', () => {
    expect(describe(new ParleyError('CONFLICT', 'at most 20 conversations can be pinned; unpin one first'))).toBe('You can pin at most 20 chats.');
    expect(describe(new ParleyError('CONFLICT', 'already a member'))).toBe('Already a member');
  });

  it('answers in the chosen language for codes it knows, keeping the server text for the rest', async () => {
    const { setLanguage } = await import('./i18n');
    const storage = new Map<string, string>();
    Object.assign(globalThis, { localStorage: { setItem: (k: string, v: string) => storage.set(k, v), getItem: (k: string) => storage.get(k) ?? null } });
    Object.assign(globalThis, { document: { documentElement: { lang: 'en' } } });
    try {
      await setLanguage('zh');
      expect(describe(new ParleyError('NOT_FOUND', 'no such message'))).toBe('未找到。');
      expect(describe(new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 30_000 }))).toBe('尝试次数过多，请在 30 秒后重试。');
      expect(storage.get('parley.language')).toBe('zh');
    } finally {
      await setLanguage('en');
      Reflect.deleteProperty(globalThis, 'localStorage');
      Reflect.deleteProperty(globalThis, 'document');
    }
    expect(describe(new ParleyError('NOT_FOUND', 'no such message'))).toBe('Not found.');
  });
});
