import { describe, expect, it } from '@jest/globals';
import { EVERYONE, insertMention, mentionAt, mentionCandidates, mentionsIn } from './mentions';

const members = [
  { id: 'me', name: 'Me Myself', username: 'me' },
  { id: 'b', name: 'Bob Baker', username: 'bob' },
  { id: 'c', name: 'Carol Cho', username: 'carol' },
  { id: 'r', name: 'Robert', username: 'bobby' },
];

describe('mention autocomplete', () => {
  it('finds the "@word" typed at the caret, at the start or after a space only', () => {
    expect(mentionAt('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail me@bo', 10)).toBeUndefined();
    expect(mentionAt('hi @bob there', 13)).toBeUndefined();
  });

  it('suggests members by name or username, prefix matches first, never me', () => {
    expect(mentionCandidates(members, 'me', false, 'bo').map((c) => c.id)).toEqual(['b', 'r']);
    expect(mentionCandidates(members, 'me', false, 'cho').map((c) => c.id)).toEqual(['c']);
    expect(mentionCandidates(members, 'me', false, 'me').map((c) => c.id)).toEqual([]);
  });

  it('offers @all only to owners and admins', () => {
    expect(mentionCandidates(members, 'me', true, 'a')[0]).toBe(EVERYONE);
    expect(mentionCandidates(members, 'me', false, 'a').some((c) => c.id === '@all')).toBe(false);
  });

  it('inserts the picked name with a space and puts the caret after it', () => {
    expect(insertMention('hi @bo!', 3, 6, { id: 'b', name: 'Bob Baker' })).toEqual({ text: 'hi @Bob Baker !', caret: 14 });
  });

  it('sends the people picked whose name is still in the text; @all alone', () => {
    const bob = { id: 'b', name: 'Bob Baker' };
    const carol = { id: 'c', name: 'Carol Cho' };
    expect(mentionsIn('@Bob Baker and @Carol Cho', [bob, carol, bob])).toEqual(['b', 'c']);
    expect(mentionsIn('just @Carol Cho', [bob, carol])).toEqual(['c']);
    expect(mentionsIn('@all @Bob Baker', [EVERYONE, bob])).toEqual(['@all']);
  });
});
