import { describe, expect, it } from '@jest/globals';
import { MUTED_FOREVER, unreadTowardTotal } from './muting';
import { conversation } from './test-fixtures';

describe('the unread total follows the notification settings', () => {
  const NOW = 1_000_000;

  it('counts a conversation that notifies everything', () => {
    expect(unreadTowardTotal(conversation({ unread: 3 }), NOW)).toBe(3);
  });

  it('counts nothing of a muted conversation until the mute ends', () => {
    expect(unreadTowardTotal(conversation({ unread: 3, mutedUntil: NOW + 1 }), NOW)).toBe(0);
    expect(unreadTowardTotal(conversation({ unread: 3, mutedUntil: MUTED_FOREVER }), NOW)).toBe(0);
    expect(unreadTowardTotal(conversation({ unread: 3, mutedUntil: NOW - 1 }), NOW)).toBe(3);
  });

  it('counts nothing when set to notify nothing, and only mentions when set to mentions', () => {
    expect(unreadTowardTotal(conversation({ unread: 3, notify: 'none' }), NOW)).toBe(0);
    expect(unreadTowardTotal(conversation({ unread: 3, notify: 'mentions' }), NOW)).toBe(0);
    expect(unreadTowardTotal(conversation({ unread: 3, notify: 'mentions', mentioned: true }), NOW)).toBe(3);
  });
});
