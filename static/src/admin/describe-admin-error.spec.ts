import { describe, expect, it } from '@jest/globals';
import { ParleyError } from '@parley/protocol';
import { describeAdminError } from './describe-admin-error';

describe('describeAdminError (the admin API’s refusals, for an operator)', () => {
  it('says who may use the admin API when it refuses', () => {
    expect(describeAdminError(new ParleyError('FORBIDDEN', 'admins only'))).toMatch(/^Only operators may do this/);
  });

  it('passes on the reason of a conflict or a refused input (the gateway words them for people)', () => {
    expect(describeAdminError(new ParleyError('CONFLICT', 'you cannot suspend yourself'))).toBe('You cannot suspend yourself');
    expect(describeAdminError(new ParleyError('INVALID_ARGUMENT', 'text: must be at most 500 characters'))).toBe('The notice must be at most 500 characters');
    expect(describeAdminError(new ParleyError('INVALID_ARGUMENT', 'reason: must be at most 200 characters'))).toBe('The reason must be at most 200 characters');
    expect(describeAdminError(new ParleyError('INVALID_ARGUMENT', 'name: too long'))).toBe('Name is too long');
  });

  it('says a node that left or a user that is gone is not found, and a rate limit with its wait', () => {
    expect(describeAdminError(new ParleyError('NOT_FOUND', 'no node im-9 is connected to this gateway'))).toMatch(/left the fleet/);
    expect(describeAdminError(new ParleyError('RATE_LIMITED', 'too many notices', { retryAfterMs: 95_000 }))).toBe('Too many admin actions. Try again in 2 min.');
    expect(describeAdminError(new ParleyError('RATE_LIMITED', 'too many notices'))).toBe('Too many admin actions. Wait a moment and try again.');
  });

  it('warns that an unanswered action may or may not have happened', () => {
    expect(describeAdminError(new ParleyError('UNAVAILABLE', 'gateway did not answer in time'))).toMatch(/Nothing may have happened: check the fleet and the audit log/);
  });
});
