import { isStaleName, netnsNames, ownerPid } from './netns-names';

describe('test network names', () => {
  it('carry the owning pid and fit Linux interface names for the largest pid', () => {
    const names = netnsNames(4_194_304);
    expect(names.bridge.length).toBeLessThanOrEqual(15);
    expect(names.outerVeth(250).length).toBeLessThanOrEqual(15);
    for (const name of [names.bridge, names.namespace(3), names.outerVeth(250)]) expect(ownerPid(name)).toBe(4_194_304);
  });

  it('count as stale only when they belong to another process that is gone', () => {
    const gone = netnsNames(123_456);
    const running = netnsNames(654_321);
    const stale = isStaleName((pid) => pid === 654_321);
    expect(stale(gone.namespace(1))).toBe(true);
    expect(stale(gone.bridge)).toBe(true);
    expect(stale(running.outerVeth(2))).toBe(false);
    expect(stale(netnsNames(process.pid).bridge)).toBe(false);
    expect(stale('eth0')).toBe(false);
    expect(stale('pflanything')).toBe(false);
  });
});
