/**
 * Names of a test network's namespaces and links. Every name starts with the
 * family prefix and the owning process's pid (base 36), so a later run can
 * tell what a crashed run left behind (its pid is gone) from what a run still
 * in progress owns. Link names stay within Linux's 15 characters.
 */
export const NETNS_FAMILY = 'pfl';

const IFNAMSIZ = 15;

export interface NetnsNames {
  bridge: string;
  namespace(index: number): string;
  /** The bridge-side end of host `index`'s veth pair (the other end is `eth0` inside the namespace). */
  outerVeth(index: number): string;
}

export function netnsNames(pid: number): NetnsNames {
  const run = `${NETNS_FAMILY}${pid.toString(36)}`;
  const checked = (name: string): string => {
    if (name.length > IFNAMSIZ) throw new Error(`interface name ${name} is longer than ${IFNAMSIZ} characters`);
    return name;
  };
  return {
    bridge: checked(`${run}-b`),
    namespace: (index) => `${run}-h${index}`,
    outerVeth: (index) => checked(`${run}-v${index}`),
  };
}

/** The pid a name of the family belongs to, or undefined for any other name. */
export function ownerPid(name: string): number | undefined {
  const match = new RegExp(`^${NETNS_FAMILY}([0-9a-z]+)-[bhv]\\d*$`).exec(name);
  return match?.[1] === undefined ? undefined : parseInt(match[1], 36);
}

/** A predicate: is this name one of the family whose owning process is gone? */
export function isStaleName(isAlive: (pid: number) => boolean): (name: string) => boolean {
  const verdicts = new Map<number, boolean>();
  return (name) => {
    const pid = ownerPid(name);
    if (pid === undefined || pid === process.pid) return false;
    let stale = verdicts.get(pid);
    if (stale === undefined) verdicts.set(pid, (stale = !isAlive(pid)));
    return stale;
  };
}
