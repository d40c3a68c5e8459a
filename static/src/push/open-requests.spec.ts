import { describe, expect, it } from '@jest/globals';
import { linkedConversation } from './open-requests';

describe('links to a conversation', () => {
  const origin = 'https://chat.example';
  it('reads ?c= of this origin', () => {
    expect(linkedConversation('/?c=d%3Aalice%3Abob', origin)).toBe('d:alice:bob');
    expect(linkedConversation('https://chat.example/?c=g%3Ateam', origin)).toBe('g:team');
    expect(linkedConversation('/', origin)).toBeUndefined();
  });
  it('ignores other origins and absurd ids', () => {
    expect(linkedConversation('https://evil.example/?c=g%3Ateam', origin)).toBeUndefined();
    expect(linkedConversation(`/?c=${'x'.repeat(161)}`, origin)).toBeUndefined();
  });
});
