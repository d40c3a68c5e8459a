import { InterestTable } from './interest-table';

const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe('InterestTable', () => {
  it('indexes a full set both ways', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a', 'group:g']);
    table.replace('n2', ['user:b', 'group:g']);

    expect(sorted(table.roomsOf('n1'))).toEqual(['group:g', 'user:a']);
    expect(sorted(table.nodesIn('group:g'))).toEqual(['n1', 'n2']);
    expect(table.nodeCount).toBe(2);
    expect(table.roomCount).toBe(3);
  });

  it('replace drops rooms missing from the new set and frees empty rooms', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a', 'user:b']);
    table.replace('n1', ['user:b', 'user:c']);

    expect(sorted(table.roomsOf('n1'))).toEqual(['user:b', 'user:c']);
    expect(table.nodesIn('user:a').size).toBe(0);
    expect(table.roomCount).toBe(2);
  });

  it('replace with an empty set keeps the node known but without rooms', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a']);
    table.replace('n1', []);
    expect(table.nodeCount).toBe(1);
    expect(table.roomCount).toBe(0);
  });

  it('apply adds and removes idempotently, removals before additions', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a']);
    table.apply('n1', ['user:b', 'user:b'], ['user:a', 'user:zz']);
    expect(sorted(table.roomsOf('n1'))).toEqual(['user:b']);

    table.apply('n1', ['user:c'], ['user:c']);
    expect(sorted(table.roomsOf('n1'))).toEqual(['user:b', 'user:c']);
    expect(table.nodesIn('user:a').size).toBe(0);
  });

  it('removeNode forgets the node everywhere', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a', 'group:g']);
    table.replace('n2', ['group:g']);
    table.removeNode('n1');
    table.removeNode('unknown');

    expect(table.nodeCount).toBe(1);
    expect(sorted(table.nodesIn('group:g'))).toEqual(['n2']);
    expect(table.nodesIn('user:a').size).toBe(0);
  });

  it('targets is the union of interested nodes, each once, never the origin', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a', 'group:g']);
    table.replace('n2', ['user:b', 'group:g']);
    table.replace('n3', ['user:c']);

    expect(sorted(table.targets(['user:a', 'user:b', 'group:g'], 'n3'))).toEqual(['n1', 'n2']);
    expect(table.targets(['user:a', 'group:g'], 'n1')).toEqual(['n2']);
    expect(table.targets(['user:c'], 'n3')).toEqual([]);
    expect(table.targets(['user:nobody'], 'n1')).toEqual([]);
  });

  it('route gives each node only the rooms it announced, without duplicates', () => {
    const table = new InterestTable();
    table.replace('n1', ['user:a', 'group:g']);
    table.replace('n2', ['group:g']);

    const routes = table.route(['user:a', 'group:g', 'group:g', 'user:x'], 'origin');
    expect(routes.size).toBe(2);
    expect(sorted(routes.get('n1') ?? [])).toEqual(['group:g', 'user:a']);
    expect(routes.get('n2')).toEqual(['group:g']);
  });
});
