import type { NodeInstance } from '../ports';
import { RoomHashRouter, RoundRobinRouter, createRouter } from './node-router';

const nodes = (n: number): NodeInstance[] =>
  Array.from({ length: n }, (_, i) => ({ nodeId: `im-${i + 1}`, url: `http://127.0.0.1:${9000 + i}` }));

describe('RoundRobinRouter', () => {
  it('cycles through the nodes in order', () => {
    const router = new RoundRobinRouter();
    const list = nodes(3);
    expect([1, 2, 3, 4].map(() => router.pick(list)?.nodeId)).toEqual(['im-1', 'im-2', 'im-3', 'im-1']);
  });

  it('returns undefined when no node is healthy', () => {
    expect(new RoundRobinRouter().pick([])).toBeUndefined();
  });
});

describe('RoomHashRouter', () => {
  const rooms = Array.from({ length: 5000 }, (_, i) => `group:${i}`);

  it('sends the same room to the same node, whatever the list order', () => {
    const router = new RoomHashRouter();
    const list = nodes(4);
    const reversed = [...list].reverse();
    for (const room of rooms.slice(0, 200)) {
      expect(router.pick(list, room)?.nodeId).toBe(router.pick(reversed, room)?.nodeId);
    }
  });

  it('spreads rooms roughly evenly', () => {
    const router = new RoomHashRouter();
    const counts = new Map<string, number>();
    for (const room of rooms) {
      const id = router.pick(nodes(4), room)!.nodeId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(count).toBeGreaterThan(5000 / 4 * 0.8);
    expect(counts.size).toBe(4);
  });

  it('moves only about 1/N of the rooms when a node is added, all to the new node', () => {
    const router = new RoomHashRouter();
    const before = nodes(4);
    const after = nodes(5);
    let moved = 0;
    for (const room of rooms) {
      const a = router.pick(before, room)!.nodeId;
      const b = router.pick(after, room)!.nodeId;
      if (a !== b) {
        moved++;
        expect(b).toBe('im-5');
      }
    }
    expect(moved / rooms.length).toBeGreaterThan(0.15);
    expect(moved / rooms.length).toBeLessThan(0.25);
  });

  it('falls back to round-robin without a room', () => {
    const router = createRouter('room-hash');
    const list = nodes(2);
    expect([router.pick(list)?.nodeId, router.pick(list)?.nodeId]).toEqual(['im-1', 'im-2']);
  });
});
