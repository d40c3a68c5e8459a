import { ParleyError } from '@parley/protocol';
import { StoreError, isStoreError } from './errors';

describe('StoreError', () => {
  it('is a ParleyError whose code and wording come from its reason', () => {
    const err = new StoreError('username-taken');
    expect(err).toBeInstanceOf(ParleyError);
    expect(err.toBody()).toEqual({ code: 'USERNAME_TAKEN', message: 'username is taken' });
    expect(err.reason).toBe('username-taken');
  });

  it('words a reason from its details', () => {
    expect(new StoreError('group-full', { maxMembers: 5 }).toBody()).toEqual({
      code: 'CONFLICT',
      message: 'the group is full (at most 5 members)',
    });
    expect(new StoreError('request-resolved', { status: 'accepted' }).message).toBe('the request is already accepted');
  });

  it('keeps the driver error as its cause and tells whether a retry may help', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new StoreError('unavailable', { cause });
    expect(err.cause).toBe(cause);
    expect(err.temporary).toBe(true);
    expect(new StoreError('duplicate').cause).toBeUndefined();
  });

  it('is recognised by reason', () => {
    const err: unknown = new StoreError('not-a-member');
    expect(isStoreError(err, 'not-a-member')).toBe(true);
    expect(isStoreError(err, 'group-not-found')).toBe(false);
    expect(isStoreError(new ParleyError('NOT_FOUND', 'not a member'), 'not-a-member')).toBe(false);
  });
});
