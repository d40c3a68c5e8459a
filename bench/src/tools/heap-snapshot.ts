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

/**
 * A parsed heap snapshot with retained sizes (dominator tree over the
 * non-weak edges, Cooper-Harvey-Kennedy). Objects are grouped into classes
 * the way DevTools' summary does, with closures and internal arrays named,
 * and the three kinds of `Socket` (net, engine.io, socket.io) told apart.
 */
export class HeapSnapshot {
  private readonly nodes: number[];
  private readonly edges: number[];
  private readonly strings: string[];
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly off: { type: number; name: number; self: number; edgeCount: number; edgeType: number; edgeName: number; to: number };
  private readonly weakEdge: number;
  /** Index into `edges` of each node's first edge (node count + 1 entries). */
  private readonly firstEdge: Int32Array;
  private readonly classes: string[];
  /** Retained size per node (0 for unreachable ones). */
  private readonly retained: Float64Array;
  /** Immediate dominator per node (-1 when unreachable). */
  private readonly idom: Int32Array;

  constructor(file: string) {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotJson;
    const meta = json.snapshot.meta;
    this.nodes = json.nodes;
    this.edges = json.edges;
    this.strings = json.strings;
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    this.off = {
      type: meta.node_fields.indexOf('type'),
      name: meta.node_fields.indexOf('name'),
      self: meta.node_fields.indexOf('self_size'),
      edgeCount: meta.node_fields.indexOf('edge_count'),
      edgeType: meta.edge_fields.indexOf('type'),
      edgeName: meta.edge_fields.indexOf('name_or_index'),
      to: meta.edge_fields.indexOf('to_node'),
    };
    this.weakEdge = this.edgeTypes.indexOf('weak');
    const count = this.nodeCount;
    this.firstEdge = new Int32Array(count + 1);
    for (let n = 0, e = 0; n < count; n++) {
      this.firstEdge[n] = e;
      e += this.nodes[n * this.nodeFields + this.off.edgeCount] * this.edgeFields;
      this.firstEdge[n + 1] = e;
    }
    this.classes = Array.from({ length: count }, (_, n) => this.classify(n));
    this.idom = new Int32Array(count).fill(-1);
    this.retained = new Float64Array(count);
    this.computeRetained();
  }

  get nodeCount(): number {
    return this.nodes.length / this.nodeFields;
  }

  /** Totals per class, reachable objects only (what survives a GC). */
  byClass(): Map<string, ClassTotals> {
    const out = new Map<string, ClassTotals>();
    for (let n = 0; n < this.nodeCount; n++) {
      if (this.idom[n] < 0) continue;
      const key = this.classes[n];
      const t = out.get(key) ?? { count: 0, selfBytes: 0, retainedBytes: 0 };
      t.count++;
      t.selfBytes += this.selfSize(n);
      t.retainedBytes += this.retained[n];
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
      { depth: 0, edge: '', className, selfBytes: this.selfSize(typical), retainedBytes: this.retained[typical] },
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
        const up = this.idom[cur];
        if (owners.has(this.classes[cur])) label = `${this.classes[cur]} (itself)`;
        else if (up === cur) label = '(root)';
        else if (owners.has(this.classes[up])) label = `${this.classes[up]}.${this.edgeBetween(up, cur)}`;
        else if (this.idom[up] === up) label = `shared under ${this.classes[cur]}`;
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
      if (this.idom[n] < 0) continue;
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
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
        if (this.edges[e + this.off.to] / this.nodeFields === typical) {
          const weak = this.edges[e + this.off.edgeType] === this.weakEdge ? ' (weak)' : '';
          out.push(`${this.classes[n]}.${this.edgeName(e)}${weak}${this.idom[typical] === n ? ' (dominator)' : ''}`);
        }
      }
    }
    return out;
  }

  private edgeBetween(from: number, to: number): string {
    for (let e = this.firstEdge[from]; e < this.firstEdge[from + 1]; e += this.edgeFields) {
      if (this.edges[e + this.off.to] / this.nodeFields === to) return this.edgeName(e);
    }
    return '(indirect)';
  }

  private explainChildren(node: number, level: number, depth: number, minBytes: number, out: RetainedPart[]): void {
    const children: { edge: string; to: number }[] = [];
    for (let e = this.firstEdge[node]; e < this.firstEdge[node + 1]; e += this.edgeFields) {
      const to = this.edges[e + this.off.to] / this.nodeFields;
      if (this.idom[to] === node && this.edges[e + this.off.edgeType] !== this.weakEdge) {
        children.push({ edge: this.edgeName(e), to });
      }
    }
    children.sort((a, b) => this.retained[b.to] - this.retained[a.to]);
    for (const { edge, to } of children) {
      if (this.retained[to] < minBytes) break;
      out.push({ depth: level, edge, className: this.classes[to], selfBytes: this.selfSize(to), retainedBytes: this.retained[to] });
      if (level < depth) this.explainChildren(to, level + 1, depth, minBytes, out);
    }
  }

  /** The instance of median retained size, or -1. */
  private typical(className: string): number {
    const instances: number[] = [];
    for (let n = 0; n < this.nodeCount; n++) if (this.idom[n] >= 0 && this.classes[n] === className) instances.push(n);
    instances.sort((a, b) => this.retained[a] - this.retained[b]);
    return instances.length === 0 ? -1 : instances[instances.length >> 1];
  }

  private selfSize(n: number): number {
    return this.nodes[n * this.nodeFields + this.off.self];
  }

  private nodeType(n: number): string {
    return this.nodeTypes[this.nodes[n * this.nodeFields + this.off.type]];
  }

  private nodeName(n: number): string {
    return this.strings[this.nodes[n * this.nodeFields + this.off.name]];
  }

  private edgeName(e: number): string {
    const type = this.edgeTypes[this.edges[e + this.off.edgeType]];
    const nameOrIndex = this.edges[e + this.off.edgeName];
    return type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : this.strings[nameOrIndex];
  }

  private hasProperty(n: number, name: string): boolean {
    for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
      if (this.edgeName(e) === name) return true;
    }
    return false;
  }

  private classify(n: number): string {
    const type = this.nodeType(n);
    const name = this.nodeName(n);
    switch (type) {
      case 'object':
        return name === 'Socket' ? `Socket (${this.socketKind(n)})` : name;
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

  private socketKind(n: number): string {
    if (this.hasProperty(n, 'nsp')) return 'socket.io';
    if (this.hasProperty(n, 'transport')) return 'engine.io';
    if (this.hasProperty(n, 'connecting')) return 'net';
    return 'other';
  }

  /** Post-order DFS from the root, then iterate immediate dominators to a fixed point. */
  private computeRetained(): void {
    const count = this.nodeCount;
    const { to: toOff, edgeType: typeOff } = this.off;
    const post = new Int32Array(count).fill(-1);
    const byPost = new Int32Array(count);
    const stackNode = new Int32Array(count);
    const stackEdge = new Int32Array(count);
    const seen = new Uint8Array(count);
    let top = 0;
    let reached = 0;
    stackNode[0] = 0;
    stackEdge[0] = this.firstEdge[0];
    seen[0] = 1;
    while (top >= 0) {
      const n = stackNode[top];
      const e = stackEdge[top];
      if (e < this.firstEdge[n + 1]) {
        stackEdge[top] = e + this.edgeFields;
        if (this.edges[e + typeOff] === this.weakEdge) continue;
        const to = this.edges[e + toOff] / this.nodeFields;
        if (seen[to]) continue;
        seen[to] = 1;
        top++;
        stackNode[top] = to;
        stackEdge[top] = this.firstEdge[to];
      } else {
        post[n] = reached;
        byPost[reached++] = n;
        top--;
      }
    }

    // Predecessors of every reached node, in post-order numbering.
    const predStart = new Int32Array(reached + 1);
    for (let i = 0; i < reached; i++) {
      const n = byPost[i];
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
        if (this.edges[e + typeOff] !== this.weakEdge) predStart[post[this.edges[e + toOff] / this.nodeFields] + 1]++;
      }
    }
    for (let i = 0; i < reached; i++) predStart[i + 1] += predStart[i];
    const preds = new Int32Array(predStart[reached]);
    const fill = predStart.slice(0, reached);
    for (let i = 0; i < reached; i++) {
      const n = byPost[i];
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
        if (this.edges[e + typeOff] !== this.weakEdge) preds[fill[post[this.edges[e + toOff] / this.nodeFields]]++] = i;
      }
    }

    const dom = new Int32Array(reached).fill(-1);
    const root = reached - 1;
    dom[root] = root;
    const intersect = (a: number, b: number): number => {
      while (a !== b) {
        while (a < b) a = dom[a];
        while (b < a) b = dom[b];
      }
      return a;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = root - 1; i >= 0; i--) {
        let d = -1;
        for (let p = predStart[i]; p < predStart[i + 1]; p++) {
          const pred = preds[p];
          if (dom[pred] < 0) continue;
          d = d < 0 ? pred : intersect(pred, d);
        }
        if (dom[i] !== d) {
          dom[i] = d;
          changed = true;
        }
      }
    }

    // A dominator finishes after everything it dominates: sum up in post-order.
    const retained = new Float64Array(reached);
    for (let i = 0; i < reached; i++) retained[i] += this.selfSize(byPost[i]);
    for (let i = 0; i < root; i++) retained[dom[i]] += retained[i];
    for (let i = 0; i < reached; i++) {
      this.idom[byPost[i]] = byPost[dom[i]];
      this.retained[byPost[i]] = retained[i];
    }
  }
}
