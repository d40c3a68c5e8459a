import { describe, expect, it } from '@jest/globals';
import { describeInviteOutcome, listNames } from './invite-outcome';

const names: Record<string, string> = { b: 'Bob', c: 'Carol', d: 'Dave', e: 'Eve' };
const nameOf = (id: string) => names[id] ?? 'Someone';
const user = (id: string) => ({ user: { id, username: id, displayName: nameOf(id) } });

describe('listNames', () => {
  it('joins names the way a sentence does, and counts the rest past three', () => {
    expect(listNames([])).toBe('');
    expect(listNames(['Ann'])).toBe('Ann');
    expect(listNames(['Ann', 'Bob'])).toBe('Ann and Bob');
    expect(listNames(['Ann', 'Bob', 'Cy'])).toBe('Ann, Bob and Cy');
    expect(listNames(['Ann', 'Bob', 'Cy', 'Di', 'Ed'])).toBe('Ann, Bob and 3 others');
  });
});

describe('describeInviteOutcome', () => {
  it('says who was added and who was only invited, never calling an invitee a member', () => {
    expect(describeInviteOutcome({ added: ['b'], requests: [], invitations: [{ inviteeId: 'c' }] }, nameOf)).toBe(
      'Bob was added. Carol will join when they accept.',
    );
    expect(describeInviteOutcome({ added: [], requests: [], invitations: [{ inviteeId: 'c' }, { inviteeId: 'd' }] }, nameOf)).toBe(
      'Carol and Dave will join when they accept.',
    );
  });

  it("says who waits for an admin's approval", () => {
    expect(describeInviteOutcome({ added: ['b', 'c'], requests: [user('e')], invitations: [] }, nameOf)).toBe(
      "Bob and Carol were added. Eve waits for an admin's approval.",
    );
  });

  it('says so when nobody new came in', () => {
    expect(describeInviteOutcome({ added: [], requests: [], invitations: [] }, nameOf)).toBe('Everyone you picked is in the group already.');
  });
});
