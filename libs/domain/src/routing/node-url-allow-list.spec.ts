import type { NodeDirectory, NodeInstance } from '../ports';
import { AllowListedNodeDirectory, type RejectedNode } from './allow-listed-directory';
import { LOOPBACK_NODE_HOSTS, NodeUrlAllowList } from './node-url-allow-list';

const allows = (spec: string, url: string): boolean => NodeUrlAllowList.parse(spec).check(url).allowed;

describe('NodeUrlAllowList', () => {
  describe('the loopback default', () => {
    const list = NodeUrlAllowList.parse(LOOPBACK_NODE_HOSTS);

    it.each(['http://127.0.0.1:9101', 'https://localhost', 'http://LOCALHOST:80/', 'http://[::1]:9102', 'http://localhost.:9101'])(
      'allows %s',
      (url) => expect(list.check(url).allowed).toBe(true),
    );

    it.each([
      'http://evil.example:9999',
      'http://127.0.0.2:9101',
      'http://localhost.evil.example',
      'http://10.0.0.5:9101',
      'http://[::2]:9101',
    ])('refuses %s', (url) => expect(list.check(url)).toMatchObject({ allowed: false, reason: 'host is not on the allow-list' }));

    it('compares normalized hosts, so other spellings of 127.0.0.1 pass and look-alikes do not', () => {
      expect(list.check('http://2130706433:9101').allowed).toBe(true); // 127.0.0.1 as one number
      expect(list.check('http://127.0.0.1.nip.io:9101').allowed).toBe(false);
    });
  });

  it('matches exact hosts case-insensitively', () => {
    expect(allows('IM-1.Parley.Internal', 'http://im-1.parley.internal:9101')).toBe(true);
    expect(allows('im-1.parley.internal', 'http://im-2.parley.internal:9101')).toBe(false);
  });

  it('lets * stand for one or more label characters, never a dot', () => {
    const spec = '*.parley.internal';
    expect(allows(spec, 'http://im-1.parley.internal')).toBe(true);
    expect(allows(spec, 'https://IM_2.parley.internal:443')).toBe(true);
    expect(allows(spec, 'http://parley.internal')).toBe(false);
    expect(allows(spec, 'http://.parley.internal')).toBe(false);
    expect(allows(spec, 'http://a.b.parley.internal')).toBe(false);
    expect(allows(spec, 'http://im-1.parley.internal.evil.example')).toBe(false);
    expect(allows(spec, 'http://im-1xparley.internal')).toBe(false);
    expect(allows('im-*', 'http://im-3:9101')).toBe(true);
    expect(allows('im-*', 'http://im-:9101')).toBe(false);
    expect(allows('10.0.0.*', 'http://10.0.0.57:9101')).toBe(true);
    expect(allows('10.0.0.*', 'http://10.0.1.5:9101')).toBe(false);
  });

  it('matches the port when the pattern names one (the scheme default when the URL does not)', () => {
    expect(allows('localhost:9101', 'http://localhost:9101')).toBe(true);
    expect(allows('localhost:9101', 'http://localhost:9102')).toBe(false);
    expect(allows('localhost:80', 'http://localhost')).toBe(true);
    expect(allows('localhost:443', 'https://localhost/')).toBe(true);
    expect(allows('localhost:443', 'http://localhost/')).toBe(false);
    expect(allows('[fd00::5]:9101', 'http://[fd00:0::5]:9101')).toBe(true);
    expect(allows('*.parley.internal:9101', 'http://im-1.parley.internal:9101')).toBe(true);
    expect(allows('*.parley.internal:9101', 'http://im-1.parley.internal:22')).toBe(false);
  });

  it('takes a comma-separated list, any entry may match', () => {
    const spec = ' 10.0.0.5 , *.parley.internal,localhost:9103 ';
    expect(NodeUrlAllowList.parse(spec).patterns).toEqual(['10.0.0.5', '*.parley.internal', 'localhost:9103']);
    expect(allows(spec, 'http://10.0.0.5:1')).toBe(true);
    expect(allows(spec, 'http://im-9.parley.internal')).toBe(true);
    expect(allows(spec, 'http://localhost:9103')).toBe(true);
    expect(allows(spec, 'http://localhost:9101')).toBe(false);
  });

  it('passes only http: and https: URLs without credentials, reporting the host only', () => {
    const list = NodeUrlAllowList.parse('localhost');
    expect(list.check('ws://localhost:9101')).toEqual({ allowed: false, host: 'localhost:9101', reason: 'uses ws: (only http: and https:)' });
    expect(list.check('javascript:alert(1)')).toMatchObject({ allowed: false, reason: 'uses javascript: (only http: and https:)' });
    expect(list.check('http://user:s3cret@localhost:9101')).toEqual({ allowed: false, host: 'localhost:9101', reason: 'carries credentials' });
    expect(list.check('not a url')).toEqual({ allowed: false, host: '', reason: 'is not a URL' });
    expect(list.check('http://localhost:9101/some/path?x=1')).toEqual({ allowed: true, host: 'localhost:9101' });
  });

  it.each([
    ['', 'lists no host pattern'],
    [' , ', 'lists no host pattern'],
    ['http://im-1', '"http://im-1" is not a host pattern; expected host, *.domain or host:port'],
    ['im-1/path', '"im-1/path" is not a host pattern'],
    ['user@im-1', '"user@im-1" is not a host pattern'],
    ['im-1:0', '"im-1:0" has a port outside 1-65535'],
    ['im-1:70000', '"im-1:70000" has a port outside 1-65535'],
    ['a..b', '"a..b" has an empty label'],
    ['*..parley.internal', '"*..parley.internal" has an empty label'],
    ['[fd00::*]', '"[fd00::*]" is not a host pattern'],
    ['[zz::1]', '"[zz::1]" is not a host pattern'],
    ['[::1::2]', '"[::1::2]" is not a valid host'],
  ])('refuses the pattern list %p', (spec, message) => {
    expect(() => NodeUrlAllowList.parse(spec)).toThrow(message);
  });
});

describe('AllowListedNodeDirectory', () => {
  /** A directory whose list the test sets, telling listeners like a real one. */
  class FakeDirectory implements NodeDirectory {
    nodes: readonly NodeInstance[] = [];
    readonly listeners = new Set<(nodes: readonly NodeInstance[]) => void>();
    started = 0;
    stopped = 0;
    async start(): Promise<void> {
      this.started++;
    }
    async stop(): Promise<void> {
      this.stopped++;
    }
    healthyNodes(): readonly NodeInstance[] {
      return this.nodes;
    }
    onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }
    set(nodes: NodeInstance[]): void {
      this.nodes = Object.freeze(nodes);
      for (const l of this.listeners) l(this.nodes);
    }
  }

  const legit = (id: string, port: number): NodeInstance => ({ nodeId: id, url: `http://127.0.0.1:${port}` });
  const rogue: NodeInstance = { nodeId: 'rogue', url: 'http://evil.example:9999' };
  let inner: FakeDirectory;
  let rejected: RejectedNode[];
  let directory: AllowListedNodeDirectory;

  beforeEach(() => {
    inner = new FakeDirectory();
    rejected = [];
    directory = new AllowListedNodeDirectory(inner, NodeUrlAllowList.parse(LOOPBACK_NODE_HOSTS), (n) => rejected.push(n));
  });

  it('lists only allowed nodes and reports each refused node id once', () => {
    inner.set([legit('im-1', 9101), rogue, legit('im-2', 9102)]);
    expect(directory.healthyNodes().map((n) => n.nodeId)).toEqual(['im-1', 'im-2']);
    expect(directory.healthyNodes()).toBe(directory.healthyNodes());
    inner.set([legit('im-1', 9101), rogue]);
    inner.set([rogue, { nodeId: 'rogue', url: 'ftp://evil.example' }]);
    expect(directory.healthyNodes()).toEqual([]);
    expect(rejected).toEqual([{ nodeId: 'rogue', host: 'evil.example:9999', reason: 'host is not on the allow-list' }]);
  });

  it('tells listeners only when the allowed list changes', () => {
    const seen: string[][] = [];
    directory.onChange((nodes) => seen.push(nodes.map((n) => n.nodeId)));
    inner.set([legit('im-1', 9101)]);
    inner.set([legit('im-1', 9101), rogue]); // only the rogue came: nothing to tell
    inner.set([legit('im-1', 9101), legit('im-2', 9102), rogue]);
    inner.set([rogue]);
    expect(seen).toEqual([['im-1'], ['im-1', 'im-2'], []]);
  });

  it('unsubscribes, and starts and stops the inner directory', async () => {
    const listener = jest.fn();
    directory.onChange(listener)();
    inner.set([legit('im-1', 9101)]);
    expect(listener).not.toHaveBeenCalled();
    await directory.start();
    await directory.stop();
    expect([inner.started, inner.stopped]).toEqual([1, 1]);
  });
});
