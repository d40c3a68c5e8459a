import fs from 'node:fs';
import { edgeName, get, readGraph, type Graph, type SnapshotJson } from './heap-graph';

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
