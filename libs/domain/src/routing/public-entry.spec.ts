import { ParleyError } from '@parley/protocol';
import type { NodeDirectory, NodeInstance } from '../ports';
import { PathSafeNodeDirectory, type RejectedNode } from './allow-listed-directory';
import { NodeAssigner } from './node-assigner';
import { RoundRobinRouter } from './node-router';
import { PublicEntry, defaultInstanceId, isPathSafeNodeId } from './public-entry';

/** A directory with a fixed list. */
function directoryOf(nodes: NodeInstance[]): NodeDirectory {
  const frozen = Object.freeze(nodes);
  return {
    start: async () => undefined,
    stop: async () => undefined,
    healthyNodes: () => frozen,
    onChange: () => () => undefined,
  };
}

const im1: NodeInstance = { nodeId: 'im-1', url: 'http://10.0.0.5:9101' };
const im2: NodeInstance = { nodeId: 'im-2', url: 'http://10.0.0.6:9101' };

describe('PublicEntry', () => {
  it('keeps the origin of an http(s) URL, without a trailing slash', () => {
    expect(PublicEntry.parse('https://chat.example.com/').url).toBe('https://chat.example.com');
    expect(PublicEntry.parse(' http://localhost:8080 ').url).toBe('http://localhost:8080');
    expect(PublicEntry.parse('HTTPS://Chat.Example.com:443').url).toBe('https://chat.example.com');
  });

  it('names its origin in both socket forms for connect-src', () => {
    expect(PublicEntry.parse('http://localhost:8080').connectSources).toEqual(['http://localhost:8080', 'ws://localhost:8080']);
    expect(PublicEntry.parse('https://chat.example.com').connectSources).toEqual(['https://chat.example.com', 'wss://chat.example.com']);
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['ws://chat.example.com', 'uses ws: (only http: and https:)'],
    ['ftp://chat.example.com', 'uses ftp: (only http: and https:)'],
    ['https://user:secret@chat.example.com', 'carries credentials'],
    ['https://chat.example.com/chat', 'has a path, query or fragment; give the origin only (https://chat.example.com)'],
    ['https://chat.example.com/?a=1', 'has a path, query or fragment; give the origin only (https://chat.example.com)'],
  ])('refuses %s', (spec, why) => {
    expect(() => PublicEntry.parse(spec)).toThrow(why);
  });

  it('puts a node on its own path', () => {
    expect(PublicEntry.parse('http://localhost:8080').socketPathOf('im-1')).toBe('/n/im-1/socket.io');
    expect(() => PublicEntry.parse('http://localhost:8080').socketPathOf('a/b')).toThrow('not path-safe');
  });
});

describe('isPathSafeNodeId', () => {
  it.each(['im-1', 'im_2', 'parley-im-0', 'Ab-C_9', 'x'.repeat(63)])('accepts %s', (id) => {
    expect(isPathSafeNodeId(id)).toBe(true);
  });

  it.each(['', '.', '..', '...', 'a/b', 'a%2f..', 'im 1', 'im?x', 'im#1', 'é', 'x'.repeat(64), 'evil.example.com', 'im-0.parley-im'])('refuses %j', (id) => {
    expect(isPathSafeNodeId(id)).toBe(false);
  });
});

describe('defaultInstanceId', () => {
  it('is <prefix>-<hostname>-<port> for a plain host name', () => {
    expect(defaultInstanceId('im', 'web-3', 9101)).toBe('im-web-3-9101');
  });

  it.each([
    ['an FQDN', 'node7.eu-west.example.com'],
    ['odd characters', 'host name#1:é'],
    ['a very long name', `${'a'.repeat(40)}.${'b'.repeat(40)}.internal`],
  ])('turns %s into one DNS label that still ends in the port', (_what, hostname) => {
    const id = defaultInstanceId('gw', hostname, 8080);
    expect(isPathSafeNodeId(id)).toBe(true);
    expect(id.startsWith('gw-')).toBe(true);
    expect(id.endsWith('-8080')).toBe(true);
  });

  it('tells two ports on one long host name apart', () => {
    const host = 'x'.repeat(80);
    expect(defaultInstanceId('im', host, 9101)).not.toBe(defaultInstanceId('im', host, 9102));
  });
});

describe('NodeAssigner', () => {
  it('without an entry, hands out the node URL and the direct Socket.IO path', () => {
    const assigner = new NodeAssigner(directoryOf([im1, im2]), new RoundRobinRouter());
    expect(assigner.assign()).toEqual({ nodeId: 'im-1', url: 'http://10.0.0.5:9101', path: '/socket.io' });
    expect(assigner.list()).toEqual([
      { nodeId: 'im-1', url: 'http://10.0.0.5:9101', path: '/socket.io' },
      { nodeId: 'im-2', url: 'http://10.0.0.6:9101', path: '/socket.io' },
    ]);
  });

  it("with an entry, hands out the entry and the node's path there, never the node URL", () => {
    const entry = PublicEntry.parse('https://chat.example.com/');
    const assigner = new NodeAssigner(directoryOf([im1, im2]), new RoundRobinRouter(), entry);
    expect([assigner.assign(), assigner.assign()]).toEqual([
      { nodeId: 'im-1', url: 'https://chat.example.com', path: '/n/im-1/socket.io' },
      { nodeId: 'im-2', url: 'https://chat.example.com', path: '/n/im-2/socket.io' },
    ]);
    expect(JSON.stringify(assigner.list())).not.toContain('10.0.0.');
  });

  it('answers NO_NODES when no node is healthy', () => {
    const assigner = new NodeAssigner(directoryOf([]), new RoundRobinRouter(), PublicEntry.parse('http://localhost:8080'));
    expect(() => assigner.assign()).toThrow(new ParleyError('NO_NODES', 'no healthy IM node is available'));
    expect(assigner.list()).toEqual([]);
  });

  it('never hands out a node whose id cannot stand in a path, and reports it once', () => {
    const rejected: RejectedNode[] = [];
    const dots: NodeInstance = { nodeId: '..', url: 'http://10.0.0.7:9101/x' };
    const slash: NodeInstance = { nodeId: 'a/b', url: 'http://10.0.0.8:9101' };
    const directory = new PathSafeNodeDirectory(directoryOf([dots, im1, slash]), (n) => rejected.push(n));
    const assigner = new NodeAssigner(directory, new RoundRobinRouter(), PublicEntry.parse('http://localhost:8080'));
    expect([assigner.assign(), assigner.assign()].map((a) => a.path)).toEqual(['/n/im-1/socket.io', '/n/im-1/socket.io']);
    expect(assigner.list().map((a) => a.nodeId)).toEqual(['im-1']);
    const reason = "its id cannot stand in a public-entry path (one DNS label: 1-63 letters, digits, '_' or '-')";
    expect(rejected).toEqual([
      { nodeId: '..', host: '10.0.0.7:9101', reason },
      { nodeId: 'a/b', host: '10.0.0.8:9101', reason },
    ]);
  });
});
