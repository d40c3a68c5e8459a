import fs from 'node:fs';

/** The parts of V8's `.heapsnapshot` JSON this reader uses. */
interface SnapshotJson {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Count and shallow size of the objects of one class. */
export interface ClassTotals {
  count: number;
  selfBytes: number;
  /** Sum of the instances' retained sizes (instances may retain each other: not additive across classes). */
  retainedBytes: number;
}

/** One row of a dominator-subtree listing: what an object keeps alive, by field. */
export interface RetainedPart {
  depth: number;
  edge: string;
  className: string;
  selfBytes: number;
  retainedBytes: number;
}

/** A snapshot that does not hold together: a field, type, node or string it refers to is not there. */
const malformed = (what: string): Error => new Error(`malformed heap snapshot: ${what}`);

/**
 * `list[i]`. Every index this reader uses was checked against the snapshot
 * when it was read (`readGraph`) or counts within an array sized to fit, so a
 * miss is a bug here, or a snapshot `readGraph` should have refused.
 */
function get<T>(list: ArrayLike<T>, i: number): T {
  const value = list[i];
  if (value === undefined) throw malformed(`index ${i} outside an array of ${list.length}`);
  return value;
}

/** Where `name` sits in a node or edge record. */
function fieldIndex(fields: readonly string[], name: string, what: string): number {
  const i = fields.indexOf(name);
  if (i < 0) throw malformed(`no ${what} field '${name}'`);
  return i;
}

/**
 * The snapshot's graph in columns, one entry per node or per edge, the
 * indices in it checked when it was read. Node n's edges are
 * `firstEdge[n]` up to (not including) `firstEdge[n + 1]`.
 */
interface Graph {
  nodeCount: number;
  selfSize: Float64Array;
  /** Each node's first edge (node count + 1 entries). */
  firstEdge: Int32Array;
  /** The node each edge points to. */
  edgeTo: Int32Array;
  /** Each edge's type, an index into `edgeTypes`. */
  edgeType: Int32Array;
  /** Each edge's property name (an index into `strings`), or its index for element and hidden edges. */
  edgeNameOrIndex: Float64Array;
  edgeTypes: string[];
  strings: string[];
  /** The type of weak edges, which retain nothing (-1 when the snapshot has no such type). */
  weakEdge: number;
  /** Each node's class, grouped the way DevTools' summary groups them (see `classify`). */
  classes: string[];
}

/** The graph before its nodes are classified (classifying a `Socket` reads its edges). */
type Unclassified = Omit<Graph, 'classes'>;

/** Element and hidden edges are named by their index, the others by a string. */
const isIndexed = (edgeType: string): boolean => edgeType === 'element' || edgeType === 'hidden';

function edgeName(g: Unclassified, e: number): string {
  const nameOrIndex = get(g.edgeNameOrIndex, e);
  return isIndexed(get(g.edgeTypes, get(g.edgeType, e))) ? `[${nameOrIndex}]` : get(g.strings, nameOrIndex);
}

function hasProperty(g: Unclassified, n: number, name: string): boolean {
  for (let e = get(g.firstEdge, n); e < get(g.firstEdge, n + 1); e++) {
    if (edgeName(g, e) === name) return true;
  }
  return false;
}

function classify(g: Unclassified, n: number, type: string, name: string): string {
  switch (type) {
    case 'object':
      return name === 'Socket' ? `Socket (${socketKind(g, n)})` : name;
    case 'closure':
      return `(closure) ${name || '<anonymous>'}`;
    case 'array':
    case 'hidden':
    case 'native':
      return `(${type}) ${name}`;
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    default:
      return `(${type})`;
  }
}

function socketKind(g: Unclassified, n: number): string {
  if (hasProperty(g, n, 'nsp')) return 'socket.io';
  if (hasProperty(g, n, 'transport')) return 'engine.io';
  if (hasProperty(g, n, 'connecting')) return 'net';
  return 'other';
}

/** Reads the flat node and edge arrays into columns, checking every index they hold. */
function readGraph(json: SnapshotJson): Graph {
  const { node_fields: nodeFields, edge_fields: edgeFields, node_types: [nodeTypes], edge_types: [edgeTypes] } = json.snapshot.meta;
  const node = {
    type: fieldIndex(nodeFields, 'type', 'node'),
    name: fieldIndex(nodeFields, 'name', 'node'),
    self: fieldIndex(nodeFields, 'self_size', 'node'),
    edgeCount: fieldIndex(nodeFields, 'edge_count', 'node'),
  };
  const edge = {
    type: fieldIndex(edgeFields, 'type', 'edge'),
    name: fieldIndex(edgeFields, 'name_or_index', 'edge'),
    to: fieldIndex(edgeFields, 'to_node', 'edge'),
  };
  const { nodes, edges, strings } = json;
  const nodeCount = nodes.length / nodeFields.length;
  if (!Number.isInteger(nodeCount)) throw malformed(`${nodes.length} node values are not records of ${nodeFields.length}`);
  if (nodeCount === 0) throw malformed('no nodes (not even the root)');

  const selfSize = new Float64Array(nodeCount);
  const firstEdge = new Int32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) {
    const record = n * nodeFields.length;
    selfSize[n] = get(nodes, record + node.self);
    firstEdge[n + 1] = get(firstEdge, n) + get(nodes, record + node.edgeCount);
  }
  const edgeCount = get(firstEdge, nodeCount);
  if (edgeCount * edgeFields.length !== edges.length) {
    throw malformed(`the nodes count ${edgeCount} edges, the edge array holds ${edges.length / edgeFields.length}`);
  }

  const edgeTo = new Int32Array(edgeCount);
  const edgeType = new Int32Array(edgeCount);
  const edgeNameOrIndex = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const record = e * edgeFields.length;
    const type = get(edges, record + edge.type);
    const nameOrIndex = get(edges, record + edge.name);
    // to_node is the target's offset in the node array, a multiple of the node record's size.
    const to = get(edges, record + edge.to) / nodeFields.length;
    const typeName = edgeTypes[type];
    if (typeName === undefined) throw malformed(`edge ${e} has no type ${type}`);
    if (!Number.isInteger(to) || to < 0 || to >= nodeCount) throw malformed(`edge ${e} points to no node`);
    if (!isIndexed(typeName) && strings[nameOrIndex] === undefined) throw malformed(`edge ${e} is named by no string`);
    edgeTo[e] = to;
    edgeType[e] = type;
    edgeNameOrIndex[e] = nameOrIndex;
  }

  const columns = { nodeCount, selfSize, firstEdge, edgeTo, edgeType, edgeNameOrIndex, edgeTypes, strings, weakEdge: edgeTypes.indexOf('weak') };
  const classes = Array.from({ length: nodeCount }, (_, n) => {
    const record = n * nodeFields.length;
    const type = nodeTypes[get(nodes, record + node.type)];
    const name = strings[get(nodes, record + node.name)];
    if (type === undefined) throw malformed(`node ${n} has no type`);
    if (name === undefined) throw malformed(`node ${n} is named by no string`);
    return classify(columns, n, type, name);
  });
  return { ...columns, classes };
}

/**
 * A parsed heap snapshot with retained sizes (dominator tree over the
 * non-weak edges, Cooper-Harvey-Kennedy). Objects are grouped into classes
 * the way DevTools' summary does, with closures and internal arrays named,
 * and the three kinds of `Socket` (net, engine.io, socket.io) told apart.
 */
export class HeapSnapshot {
  private readonly graph: Graph;
  /** Retained size per node (0 for unreachable ones). */
  private readonly retained: Float64Array;
  /** Immediate dominator per node (-1 when unreachable). */
  private readonly idom: Int32Array;

  constructor(file: string) {
    this.graph = readGraph(JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotJson);
    this.idom = new Int32Array(this.nodeCount).fill(-1);
    this.retained = new Float64Array(this.nodeCount);
    this.computeRetained();
  }

  get nodeCount(): number {
    return this.graph.nodeCount;
  }

  /** Totals per class, reachable objects only (what survives a GC). */
  byClass(): Map<string, ClassTotals> {
    const out = new Map<string, ClassTotals>();
    for (let n = 0; n < this.nodeCount; n++) {
      if (!this.reachable(n)) continue;
      const key = this.classOf(n);
      const t = out.get(key) ?? { count: 0, selfBytes: 0, retainedBytes: 0 };
      t.count++;
      t.selfBytes += this.selfSize(n);
      t.retainedBytes += this.retainedSize(n);
      out.set(key, t);
    }
    return out;
  }

  /**
   * What a typical (median retained size) instance of `className` keeps
   * alive: its dominated fields, `depth` levels down, those of at least
   * `minBytes`.
   */
  explain(className: string, depth = 2, minBytes = 64): RetainedPart[] {
    const typical = this.typical(className);
    if (typical < 0) return [];
    const out: RetainedPart[] = [
      { depth: 0, edge: '', className, selfBytes: this.selfSize(typical), retainedBytes: this.retainedSize(typical) },
    ];
    this.explainChildren(typical, 1, depth, minBytes, out);
    return out;
  }

  /**
   * Every reachable object's self size, charged to the nearest dominator of
   * one of the `owners` classes, by the field of the owner it hangs from
   * (`WebSocket._receiver`); objects no owner dominates are charged to the
   * class of their top dominator below the GC roots (`shared under Adapter`).
   */
  chargeTo(owners: ReadonlySet<string>): Map<string, ClassTotals> {
    const labels = new Array<string | undefined>(this.nodeCount);
    const labelOf = (n: number): string => {
      const chain: number[] = [];
      let cur = n;
      let label: string | undefined;
      for (;;) {
        label = labels[cur];
        if (label !== undefined) break;
        const up = this.dominator(cur);
        if (owners.has(this.classOf(cur))) label = `${this.classOf(cur)} (itself)`;
        else if (up === cur) label = '(root)';
        else if (owners.has(this.classOf(up))) label = `${this.classOf(up)}.${this.edgeBetween(up, cur)}`;
        else if (this.dominator(up) === up) label = `shared under ${this.classOf(cur)}`;
        if (label !== undefined) break;
        chain.push(cur);
        cur = up;
      }
      labels[cur] = label;
      for (const c of chain) labels[c] = label;
      return label;
    };
    const out = new Map<string, ClassTotals>();
    for (let n = 0; n < this.nodeCount; n++) {
      if (!this.reachable(n)) continue;
      const key = labelOf(n);
      const t = out.get(key) ?? { count: 0, selfBytes: 0, retainedBytes: 0 };
      t.count++;
      t.selfBytes += this.selfSize(n);
      out.set(key, t);
    }
    return out;
  }

  /** Which objects hold a typical instance of `className` (incoming edges: holder class and field). */
  retainersOf(className: string): string[] {
    const typical = this.typical(className);
    if (typical < 0) return [];
    const out: string[] = [];
    for (let n = 0; n < this.nodeCount; n++) {
      for (let e = this.edgesFrom(n); e < this.edgesFrom(n + 1); e++) {
        if (get(this.graph.edgeTo, e) === typical) {
          const weak = this.isWeak(e) ? ' (weak)' : '';
          out.push(`${this.classOf(n)}.${edgeName(this.graph, e)}${weak}${this.dominator(typical) === n ? ' (dominator)' : ''}`);
        }
      }
    }
    return out;
  }

  private edgeBetween(from: number, to: number): string {
    for (let e = this.edgesFrom(from); e < this.edgesFrom(from + 1); e++) {
      if (get(this.graph.edgeTo, e) === to) return edgeName(this.graph, e);
    }
    return '(indirect)';
  }

  private explainChildren(node: number, level: number, depth: number, minBytes: number, out: RetainedPart[]): void {
    const children: { edge: string; to: number }[] = [];
    for (let e = this.edgesFrom(node); e < this.edgesFrom(node + 1); e++) {
      const to = get(this.graph.edgeTo, e);
      if (this.dominator(to) === node && !this.isWeak(e)) children.push({ edge: edgeName(this.graph, e), to });
    }
    children.sort((a, b) => this.retainedSize(b.to) - this.retainedSize(a.to));
    for (const { edge, to } of children) {
      if (this.retainedSize(to) < minBytes) break;
      out.push({ depth: level, edge, className: this.classOf(to), selfBytes: this.selfSize(to), retainedBytes: this.retainedSize(to) });
      if (level < depth) this.explainChildren(to, level + 1, depth, minBytes, out);
    }
  }

  /** The instance of median retained size, or -1. */
  private typical(className: string): number {
    const instances: number[] = [];
    for (let n = 0; n < this.nodeCount; n++) if (this.reachable(n) && this.classOf(n) === className) instances.push(n);
    instances.sort((a, b) => this.retainedSize(a) - this.retainedSize(b));
    return instances[instances.length >> 1] ?? -1;
  }

  private classOf(n: number): string {
    return get(this.graph.classes, n);
  }

  private selfSize(n: number): number {
    return get(this.graph.selfSize, n);
  }

  private retainedSize(n: number): number {
    return get(this.retained, n);
  }

  private dominator(n: number): number {
    return get(this.idom, n);
  }

  private reachable(n: number): boolean {
    return this.dominator(n) >= 0;
  }

  /** The first edge of node n; `edgesFrom(n + 1)` is one past its last. */
  private edgesFrom(n: number): number {
    return get(this.graph.firstEdge, n);
  }

  private isWeak(e: number): boolean {
    return get(this.graph.edgeType, e) === this.graph.weakEdge;
  }

  /** Post-order DFS from the root, then iterate immediate dominators to a fixed point. */
  private computeRetained(): void {
    const count = this.nodeCount;
    const { edgeTo } = this.graph;
    const post = new Int32Array(count).fill(-1);
    const byPost = new Int32Array(count);
    const stackNode = new Int32Array(count);
    const stackEdge = new Int32Array(count);
    const seen = new Uint8Array(count);
    let top = 0;
    let reached = 0;
    stackNode[0] = 0;
    stackEdge[0] = this.edgesFrom(0);
    seen[0] = 1;
    while (top >= 0) {
      const n = get(stackNode, top);
      const e = get(stackEdge, top);
      if (e < this.edgesFrom(n + 1)) {
        stackEdge[top] = e + 1;
        if (this.isWeak(e)) continue;
        const to = get(edgeTo, e);
        if (get(seen, to)) continue;
        seen[to] = 1;
        top++;
        stackNode[top] = to;
        stackEdge[top] = this.edgesFrom(to);
      } else {
        post[n] = reached;
        byPost[reached++] = n;
        top--;
      }
    }

    // Predecessors of every reached node, in post-order numbering.
    const predStart = new Int32Array(reached + 1);
    for (let i = 0; i < reached; i++) {
      const n = get(byPost, i);
      for (let e = this.edgesFrom(n); e < this.edgesFrom(n + 1); e++) {
        if (this.isWeak(e)) continue;
        const slot = get(post, get(edgeTo, e)) + 1;
        predStart[slot] = get(predStart, slot) + 1;
      }
    }
    for (let i = 0; i < reached; i++) predStart[i + 1] = get(predStart, i + 1) + get(predStart, i);
    const preds = new Int32Array(get(predStart, reached));
    const fill = predStart.slice(0, reached);
    for (let i = 0; i < reached; i++) {
      const n = get(byPost, i);
      for (let e = this.edgesFrom(n); e < this.edgesFrom(n + 1); e++) {
        if (this.isWeak(e)) continue;
        const target = get(post, get(edgeTo, e));
        const slot = get(fill, target);
        preds[slot] = i;
        fill[target] = slot + 1;
      }
    }

    const dom = new Int32Array(reached).fill(-1);
    const root = reached - 1;
    dom[root] = root;
    const intersect = (a: number, b: number): number => {
      while (a !== b) {
        while (a < b) a = get(dom, a);
        while (b < a) b = get(dom, b);
      }
      return a;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = root - 1; i >= 0; i--) {
        let d = -1;
        for (let p = get(predStart, i); p < get(predStart, i + 1); p++) {
          const pred = get(preds, p);
          if (get(dom, pred) < 0) continue;
          d = d < 0 ? pred : intersect(pred, d);
        }
        if (get(dom, i) !== d) {
          dom[i] = d;
          changed = true;
        }
      }
    }

    // A dominator finishes after everything it dominates: sum up in post-order.
    const retained = new Float64Array(reached);
    for (let i = 0; i < reached; i++) retained[i] = this.selfSize(get(byPost, i));
    for (let i = 0; i < root; i++) {
      const d = get(dom, i);
      retained[d] = get(retained, d) + get(retained, i);
    }
    for (let i = 0; i < reached; i++) {
      const n = get(byPost, i);
      this.idom[n] = get(byPost, get(dom, i));
      this.retained[n] = get(retained, i);
    }
  }
}
