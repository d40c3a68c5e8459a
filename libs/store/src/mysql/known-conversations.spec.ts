import { KnownConversations } from './known-conversations';

describe('KnownConversations', () => {
  it('knows what was added, and forgets the least recently added past its limit', () => {
    const known = new KnownConversations(3);
    known.add(['c1', 'c2', 'c3']);
    // Added again: c1 becomes the most recent.
    known.add(['c1']);
    known.add(['c4']);
    expect(['c1', 'c2', 'c3', 'c4'].map((id) => known.has(id))).toEqual([true, false, true, true]);
    known.add(['c5', 'c6']);
    expect(['c1', 'c3', 'c4', 'c5', 'c6'].map((id) => known.has(id))).toEqual([false, false, true, true, true]);
  });
});
