import type { NodeDirectory, NodeInstance } from '@parley/domain';
import { sameNodes } from '@parley/domain';
import { silentLogger } from '@parley/util';
import { sleep } from './abortable-sleep';
import { normalizeNodes, notifyListeners } from './instance-list';
import { errorMessage, type DiscoveryLog } from './logger';
import { probeReadiness, readyzUrl, type ProbeAnswer } from './ready-probe';

export interface StaticNodeDirectoryOptions {
  /**
   * Whether to list only the nodes whose GET `${url}/readyz` answers 200;
   * false lists every node, always.
   * @default true
   */
  probe?: boolean;
  /** Pause between the end of one probe round and the start of the next. @default 2_000 */
  probeIntervalMs?: number;
  /** A node that has not answered within this is not ready. @default 1_000 */
  probeTimeoutMs?: number;
  /**
   * Panic mode: when no node answers 200 but some answer 503 only for a
   * dependency every process shares (database, Redis, relay), list those
   * rather than none: a shared outage fails every node's /readyz at once,
   * and those nodes still serve. A draining, starting or silent node stays
   * out. false lists only the nodes answering 200, always.
   * @default true
   */
  panicMode?: boolean;
  /** @default silent */
  logger?: DiscoveryLog;
}

interface ProbeRun {
  stop: AbortController;
  loop: Promise<void>;
}

/**
 * A fixed list of nodes (PARLEY_STATIC_NODES, embedded mode, development).
 * By default it probes each node's /readyz and lists those that answer 200,
 * so a node that is down, draining or hanging gets no new clients until it
 * answers again; when none does, those unready only for a shared dependency
 * (panic mode, see options). start() completes the first probe round.
 */
export class StaticNodeDirectory implements NodeDirectory {
  private readonly all: readonly NodeInstance[];
  private readonly probe: boolean;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly panicMode: boolean;
  /** Whether the list holds the unready nodes now because no node is ready. */
  private panicking = false;
  private readonly logger: DiscoveryLog;
  private readonly listeners = new Set<(nodes: readonly NodeInstance[]) => void>();
  private nodes: readonly NodeInstance[];
  /** Nodes known not ready, so each change of state is logged once. */
  private readonly down = new Set<string>();
  private running?: ProbeRun;
  private firstRound?: Promise<void>;

  constructor(nodes: readonly NodeInstance[], options: StaticNodeDirectoryOptions = {}) {
    const ids = new Set<string>();
    for (const node of nodes) {
      if (!node.nodeId || !node.url) throw new Error('static node needs a nodeId and a url');
      if (ids.has(node.nodeId)) throw new Error(`duplicate static node ${node.nodeId}`);
      ids.add(node.nodeId);
    }
    this.all = normalizeNodes(nodes);
    this.probe = options.probe ?? true;
    this.probeIntervalMs = options.probeIntervalMs ?? 2_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
    this.panicMode = options.panicMode ?? true;
    this.logger = options.logger ?? silentLogger;
    this.nodes = this.probe ? Object.freeze([]) : this.all;
  }

  async start(): Promise<void> {
    if (!this.probe) return;
    if (!this.running) {
      const stop = new AbortController();
      this.firstRound = this.round(stop.signal);
      this.running = { stop, loop: this.firstRound.then(() => this.probeLoop(stop.signal)) };
    }
    await this.firstRound;
  }

  /** Stops probing; the last list stays. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.stop.abort();
    await running.loop;
  }

  healthyNodes(): readonly NodeInstance[] {
    return this.nodes;
  }

  /** True while the list holds nodes that are unready for a shared dependency, because none is ready. */
  inPanicMode(): boolean {
    return this.panicking;
  }

  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async probeLoop(stop: AbortSignal): Promise<void> {
    for (;;) {
      await sleep(this.probeIntervalMs, stop);
      if (stop.aborted) return;
      await this.round(stop);
    }
  }

  /** Probes every node at once and applies the result (unless stopped meanwhile). */
  private async round(stop: AbortSignal): Promise<void> {
    const answers = await Promise.all(this.all.map((n) => probeReadiness(readyzUrl(n.url), this.probeTimeoutMs, stop)));
    if (stop.aborted) return;
    this.logChanges(answers);
    const panic = this.panicMode && !answers.includes('ready') && answers.includes('unready');
    this.notePanic(panic, answers);
    const listed: ProbeAnswer = panic ? 'unready' : 'ready';
    const next = normalizeNodes(this.all.filter((_, i) => answers[i] === listed));
    if (sameNodes(next, this.nodes)) return;
    this.nodes = next;
    notifyListeners(this.listeners, next, (err) =>
      this.logger.warn({ err: errorMessage(err) }, 'node directory listener threw'),
    );
  }

  private logChanges(answers: readonly ProbeAnswer[]): void {
    this.all.forEach(({ nodeId, url }, i) => {
      const ready = answers[i] === 'ready';
      if (!ready && !this.down.has(nodeId)) {
        this.down.add(nodeId);
        this.logger.warn({ nodeId, url }, 'static node not ready (GET /readyz did not answer 200)');
      } else if (ready && this.down.delete(nodeId)) {
        this.logger.info({ nodeId, url }, 'static node ready again');
      }
    });
  }

  /** One warning on entering panic mode, one info on leaving it: not one per round. */
  private notePanic(panic: boolean, answers: readonly ProbeAnswer[]): void {
    if (panic === this.panicking) return;
    this.panicking = panic;
    if (panic) {
      const listed = this.all.filter((_, i) => answers[i] === 'unready').map((n) => n.nodeId);
      this.logger.warn(
        { nodes: listed },
        'panic mode: no static node is ready; listing those unready only for a shared dependency (database, redis, relay)',
      );
    } else {
      this.logger.info({}, 'panic mode over: listing only the static nodes that are ready');
    }
  }
}
