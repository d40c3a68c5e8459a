import { describe as suite, expect, it } from '@jest/globals';
import { ParleyError } from '@parley/protocol';
import { describe } from './describe-error';

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
});
