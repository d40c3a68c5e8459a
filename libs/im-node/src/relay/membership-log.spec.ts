import { MembershipLog } from './membership-log';

describe('MembershipLog', () => {
  it('replays joins and leaves applied after a read onto its result, last change winning', () => {
    const log = new MembershipLog();
    log.record(['a'], 'group:old', false); // before the read: already in the store's answer
    const mark = log.mark();
    log.record(['a', 'b'], 'group:g1', false);
    log.record(['a'], 'group:g2', true);
    log.record(['a'], 'group:g3', true);
    log.record(['a'], 'group:g3', false);
    expect(log.settle(['user:a', 'group:g1', 'group:old'], 'a', mark)?.sort()).toEqual(['group:g2', 'group:old', 'user:a']);
    expect(log.leftSince(mark, 'a', 'group:g1')).toBe(true);
    expect(log.leftSince(mark, 'a', 'group:g2')).toBe(false);
    expect(log.leftSince(mark, 'c', 'group:g1')).toBe(false);
    // Another user's read is untouched by a's changes.
    expect(log.settle(['user:c', 'group:g1'], 'c', mark)).toEqual(['user:c', 'group:g1']);
  });

  it('says when it no longer reaches back to a mark, so the caller reads again', () => {
    const log = new MembershipLog(3);
    const mark = log.mark();
    log.record(['a', 'b', 'c', 'd'], 'group:g', false);
    expect(log.settle(['group:g'], 'a', mark)).toBeUndefined();
    expect(log.settle(['group:g'], 'd', log.mark() - 1)).toEqual([]);
  });
});
