import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { groupChangeForMe, groupsReducer } from './groups';
import { ME, group, groupEvent } from './test-fixtures';
import type { GroupDetails, GroupsState } from './types';

const details = (id: string): GroupDetails => ({ group: group(id), members: [] });
const run = (s: GroupsState, ...actions: Action[]) => actions.reduce(groupsReducer, s);
const loaded = (): GroupsState => ({ groups: new Map([['g1', details('g1')]]) });

describe('groupChangeForMe', () => {
  it('reads a dissolution, or my leaving or being kicked, as my removal', () => {
    expect(groupChangeForMe(groupEvent('dissolved'), ME.id)).toBe('removed');
    expect(groupChangeForMe(groupEvent('kicked', { userIds: [ME.id] }), ME.id)).toBe('removed');
    expect(groupChangeForMe(groupEvent('left', { userIds: [ME.id], actorId: ME.id }), ME.id)).toBe('removed');
  });

  it('reads a group created with me, or my being added, by someone else as my addition', () => {
    expect(groupChangeForMe(groupEvent('created'), ME.id)).toBe('added');
    expect(groupChangeForMe(groupEvent('joined', { userIds: [ME.id] }), ME.id)).toBe('added');
    expect(groupChangeForMe(groupEvent('created', { actorId: ME.id }), ME.id)).toBe('changed');
  });

  it('reads anything about other members as a change', () => {
    expect(groupChangeForMe(groupEvent('kicked', { userIds: ['bob'] }), ME.id)).toBe('changed');
    expect(groupChangeForMe(groupEvent('joined', { userIds: ['bob'] }), ME.id)).toBe('changed');
  });
});

describe('groups reducer', () => {
  it('holds the details loaded for a group', () => {
    expect(run({ groups: new Map() }, { type: 'group/loaded', groupId: 'g1', details: details('g1') }).groups.get('g1')).toEqual(details('g1'));
  });

  it('forgets a group I was removed from or left', () => {
    expect(run(loaded(), { type: 'group/event', event: groupEvent('dissolved'), meId: ME.id }).groups.size).toBe(0);
    expect(run(loaded(), { type: 'group/left', groupId: 'g1' }).groups.size).toBe(0);
  });

  it("keeps a group through other members' changes", () => {
    const before = loaded();
    expect(run(before, { type: 'group/event', event: groupEvent('kicked', { userIds: ['bob'] }), meId: ME.id })).toBe(before);
    expect(run(before, { type: 'group/left', groupId: 'other' })).toBe(before);
  });
});
