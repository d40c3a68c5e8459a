import { fleetSchema } from '@parley/protocol';
import { waitFor, type Cluster } from '@parley/testing';

/**
 * Names operators the documented way: their accounts are registered while
 * PARLEY_ADMIN_USERS does not list them (a listed name is reserved: public
 * registration refuses it), then the list is set and every gateway restarts
 * with it. `gatewayEnv` is the very object the cluster was started with (the
 * harness reads it again at each gateway launch). Resolves once the first
 * operator sees every node ready in the fleet (its relay streams are back).
 */
export async function listOperators(cluster: Cluster, gatewayEnv: Record<string, string>, usernames: readonly string[], operatorToken: string): Promise<void> {
  gatewayEnv.PARLEY_ADMIN_USERS = usernames.join(',');
  for (let i = 0; i < cluster.gateways.length; i++) await cluster.restartGateway(i);
  const nodeIds = cluster.nodes.map((n) => n.nodeId);
  await waitFor(
    'every node ready in the operator fleet view',
    async () => {
      const res = await fetch(`${cluster.gatewayUrl}/api/admin/fleet`, { headers: { authorization: `Bearer ${operatorToken}` } });
      return res.status === 200 ? fleetSchema.parse(await res.json()) : undefined;
    },
    (fleet) => fleet !== undefined && nodeIds.every((id) => fleet.nodes.some((n) => n.nodeId === id && n.health === 'ready')),
    { timeoutMs: 30_000, retryErrors: true },
  );
}
