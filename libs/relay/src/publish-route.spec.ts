import { PublishRouter, rendezvousOrder, routeKeyOf, type RoutableLink } from './publish-route';

class FakeLink implements RoutableLink {
  stream = 1;
  acked = 0;
  constructor(readonly address: string) {}
  inFlight(stream: number, seq: number): boolean {
    return stream === this.stream && seq > this.acked;
  }
}

const keys = Array.from({ length: 3_000 }, (_, i) => `group:g${i}`);

describe('rendezvous routing', () => {
  const a = new FakeLink('a:1');
  const b = new FakeLink('b:1');
  const c = new FakeLink('c:1');

  it('spreads keys evenly and moves only the keys of a gateway that goes away', () => {
    const before = new Map(keys.map((key) => [key, rendezvousOrder([a, b, c], key)[0]]));
    const share = (link: FakeLink): number => [...before.values()].filter((l) => l === link).length;
    for (const link of [a, b, c]) expect(share(link)).toBeGreaterThan(900); // 1000 each, give or take
    for (const key of keys) {
      const now = rendezvousOrder([a, c], key)[0];
      if (before.get(key) !== b) expect(now).toBe(before.get(key));
    }
  });

  it('keys a publish by its route key, its granted room, else its rooms whatever their order', () => {
    expect(routeKeyOf({ rooms: ['user:b', 'user:a'], routeKey: 'group:g' })).toBe('group:g');
    expect(routeKeyOf({ rooms: ['user:b'], grantRoom: 'group:g' })).toBe('group:g');
    expect(routeKeyOf({ rooms: ['user:b', 'user:a'] })).toBe(routeKeyOf({ rooms: ['user:a', 'user:b'] }));
  });

  it("keeps a key on the link with its last unacknowledged publish, then lets it go back to its own", () => {
    const router = new PublishRouter<FakeLink>();
    const key = keys.find((k) => rendezvousOrder([a, b], k)[0] === a) as string;
    // a was away: the key went to b and is not yet acknowledged there.
    expect(router.order([b], key)).toEqual([b]);
    router.sent(key, b, 7);
    expect(router.order([a, b], key)).toEqual([b, a]);
    b.acked = 7;
    expect(router.order([a, b], key)).toEqual([a, b]);
    // A preferred link (a replay's) goes first when no pin holds the key.
    expect(router.order([a, b], key, b)).toEqual([b, a]);
  });
});
