import type { ParleyMetrics } from '@parley/observability';
import type { NodeStatsInput } from '@parley/relay';
import type { ImServer } from '../socket/socket-types';

/** What the node knows of itself that the socket server does not. */
export interface NodeStatsState {
  nodeId: string;
  url(): string;
  /** Distinct users with a socket here, as countConnectedUsers keeps it (no walk of the rooms). */
  users(): number;
  ready(): boolean;
  draining(): boolean;
  outboxDepth(): number;
}

/**
 * This node's NodeStats report (the ops console's fleet view), built once
 * per report (every few seconds), never per message: sockets from the
 * server's map, users from the count the node keeps, the message totals read
 * from this node's series of the metrics it already counts.
 */
export function nodeStatsProvider(io: ImServer, metrics: ParleyMetrics, state: NodeStatsState, startedAt: number): () => Promise<NodeStatsInput> {
  const ours = (values: readonly { value: number; labels: Partial<Record<string, string | number>> }[]): number =>
    values.reduce((sum, v) => (v.labels.node === state.nodeId ? sum + v.value : sum), 0);
  return async () => {
    const [accepted, deliveries] = await Promise.all([metrics.messagesAccepted.get(), metrics.deliveries.get()]);
    return {
      sockets: io.of('/').sockets.size,
      users: state.users(),
      messagesAccepted: ours(accepted.values),
      deliveries: ours(deliveries.values),
      outboxDepth: state.outboxDepth(),
      ready: state.ready(),
      draining: state.draining(),
      startedAt,
      url: state.url(),
    };
  };
}
