import type { NodeDirectory, NodeInstance } from '../ports';
import { sameNodes } from './same-nodes';

/** A node a directory filter kept out; `host` is host[:port] only, safe to log. */
export interface RejectedNode {
  nodeId: string;
  host: string;
  reason: string;
}

/** Whether a node may be handed to clients; a refusal says why without quoting the URL. */
export type NodeVerdict = { allowed: true } | { allowed: false; host: string; reason: string };

/**
 * A NodeDirectory that lists only the nodes `vet` accepts, so a registration
 * nobody vetted (anyone able to write to the registry) is never handed to a
 * client, by assignment or in a listing. `onRejected` hears of each refused
 * node id once.
 */
export class VettedNodeDirectory implements NodeDirectory {
  private readonly reported = new Set<string>();
  private lastInput: readonly NodeInstance[] | undefined;
  private lastOutput: readonly NodeInstance[] = Object.freeze([]);

  constructor(
    private readonly inner: NodeDirectory,
    private readonly vet: (node: NodeInstance) => NodeVerdict,
    private readonly onRejected: (node: RejectedNode) => void = () => undefined,
  ) {}

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  healthyNodes(): readonly NodeInstance[] {
    return this.filter(this.inner.healthyNodes());
  }

  /** Listeners hear only of changes to the allowed list, not of refused nodes coming and going. */
  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
    let last = this.healthyNodes();
    return this.inner.onChange((nodes) => {
      const next = this.filter(nodes);
      if (next === last) return;
      last = next;
      listener(next);
    });
  }

  /** Memoized on the inner list (directories hand out the same array until it changes). */
  private filter(nodes: readonly NodeInstance[]): readonly NodeInstance[] {
    if (nodes === this.lastInput) return this.lastOutput;
    const kept: NodeInstance[] = [];
    for (const node of nodes) {
      const verdict = this.vet(node);
      if (verdict.allowed) kept.push(node);
      else if (!this.reported.has(node.nodeId)) {
        this.reported.add(node.nodeId);
        this.onRejected({ nodeId: node.nodeId, host: verdict.host, reason: verdict.reason });
      }
    }
    this.lastInput = nodes;
    if (!sameNodes(kept, this.lastOutput)) this.lastOutput = Object.freeze(kept);
    return this.lastOutput;
  }
}
