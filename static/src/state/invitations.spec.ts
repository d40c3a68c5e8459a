import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { invitationsReducer } from './invitations';
import { ME, group, groupEvent, invitation } from './test-fixtures';
import type { InvitationsState } from './types';

const run = (s: InvitationsState, ...actions: Action[]) => actions.reduce(invitationsReducer, s);
const ids = (s: InvitationsState) => s.invitations.map((i) => i.id);
const pushed = (fields: Parameters<typeof invitation>[1] & { id?: string } = {}): Action => ({
  type: 'invitation/event',
  invitation: invitation(fields.id ?? 'i1', fields),
  meId: ME.id,
});

describe('invitations reducer', () => {
  it('lists the pending invitations the server gave, newest first', () => {
    const next = run(
      { invitations: [] },
      {
        type: 'invitations/loaded',
        invitations: [invitation('old', { createdAt: 1 }), invitation('answered', { status: 'accepted', createdAt: 5 }), invitation('new', { createdAt: 9 })],
      },
    );
    expect(ids(next)).toEqual(['new', 'old']);
  });

  it('adds an invitation pushed to me at the top, once', () => {
    const before = run({ invitations: [] }, pushed({ id: 'i1', createdAt: 1 }));
    const next = run(before, pushed({ id: 'i2', createdAt: 2 }), pushed({ id: 'i2', createdAt: 2 }));
    expect(ids(next)).toEqual(['i2', 'i1']);
  });

  it('drops an invitation answered on another device', () => {
    const before = { invitations: [invitation('i1'), invitation('i2')] };
    expect(ids(run(before, pushed({ id: 'i1', status: 'rejected' })))).toEqual(['i2']);
  });

  it('keeps the list as it is for answers to invitations I made to someone else', () => {
    const before = { invitations: [invitation('i1')] };
    expect(run(before, pushed({ id: 'i9', inviteeId: 'bob', status: 'accepted' }))).toBe(before);
  });

  it('drops an invitation once I answered it, and ignores an answer to one it does not hold', () => {
    const before = { invitations: [invitation('i1'), invitation('i2')] };
    expect(ids(run(before, { type: 'invitation/answered', invitationId: 'i1' }))).toEqual(['i2']);
    expect(run(before, { type: 'invitation/answered', invitationId: 'nope' })).toBe(before);
  });

  it("drops the invitations to a group I joined anyway, and keeps them through other members' changes", () => {
    const before = { invitations: [invitation('i1', { group: group('g1') }), invitation('i2', { group: group('g2') })] };
    expect(ids(run(before, { type: 'group/event', event: groupEvent('joined', { userIds: [ME.id] }), meId: ME.id }))).toEqual(['i2']);
    expect(run(before, { type: 'group/event', event: groupEvent('joined', { userIds: ['bob'] }), meId: ME.id })).toBe(before);
  });
});
