import type { NetnsHost, NetnsNetwork } from '@parley/testing';
import { APP_PORTS } from './app-env';
import { waitFor } from './wait';

/** A live app as the probes see it. */
export interface ProbedApp {
  id: string;
  host: NetnsHost;
}

/** What the probes read the fleet's state from. */
export interface ProbeTarget {
  net: NetnsNetwork;
  consulUrl: string;
  gateways(): readonly ProbedApp[];
  nodes(): readonly ProbedApp[];
  /** A bearer token for the gateways' node list. */
  token(): Promise<string>;
}

/**
 * The conditions the fleet proof waits on, each read from outside the apps
 * as an operator could: Consul's health API, the hosts' TCP connections
 * (`ss` in their namespaces), the nodes' /readyz, the gateways' node lists.
 */
export class FleetProbes {
  constructor(private readonly target: ProbeTarget) {}

  /** Waits until Consul lists a passing instance of the service on each of these hosts (its advertised address). */
  async waitForConsulPassing(service: 'parley-im' | 'parley-gateway', apps: readonly ProbedApp[], timeoutMs = 30_000): Promise<void> {
    const want = apps.map((a) => a.host.address).sort();
    await waitFor(`Consul to pass ${service} on ${want.join(', ')}`, timeoutMs, async () => {
      const res = await fetch(`${this.target.consulUrl}/v1/health/service/${service}?passing=true`);
      const entries = (await res.json()) as { Service: { Address: string } }[];
      const passing = new Set(entries.map((e) => e.Service.Address));
      const missing = want.filter((a) => !passing.has(a));
      return missing.length === 0 ? true : `not passing: ${missing.join(', ')}`;
    });
  }

  /** Waits until every live node holds an established relay connection to every live gateway. */
  async waitForRelayMesh(timeoutMs = 30_000): Promise<void> {
    await waitFor('every node to stream to every gateway', timeoutMs, async () => {
      const gateways = this.target.gateways().map((g) => g.host.address);
      for (const node of this.target.nodes()) {
        const peers = await this.relayPeers(node);
        const missing = gateways.filter((g) => !peers.has(g));
        if (missing.length > 0) return `${node.id} has no relay connection to ${missing.join(', ')}`;
      }
      return true;
    });
  }

  /** Waits until every live node's /readyz answers 200 (not draining, a relay stream ready). */
  async waitForNodesReady(timeoutMs = 30_000): Promise<void> {
    await waitFor('every node ready (/readyz)', timeoutMs, async () => {
      for (const node of this.target.nodes()) {
        const res = await fetch(`http://${node.host.address}:${APP_PORTS.node}/readyz`).catch(() => undefined);
        if (res?.status !== 200) return `${node.id} answers ${res?.status ?? 'nothing'}`;
      }
      return true;
    });
  }

  /** Waits until every live gateway hands out exactly the live nodes (GET /api/nodes on each, directly). */
  async waitForAssignable(timeoutMs = 30_000): Promise<void> {
    const token = await this.target.token();
    const want = this.target.nodes().map((n) => n.id).sort().join(',');
    await waitFor(`every gateway to hand out [${want}]`, timeoutMs, async () => {
      for (const gateway of this.target.gateways()) {
        const res = await fetch(`http://${gateway.host.address}:${APP_PORTS.gatewayHttp}/api/nodes`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => undefined);
        if (!res?.ok) return `${gateway.id} answers ${res?.status ?? 'nothing'}`;
        const listed = ((await res.json()) as { nodes: { nodeId: string }[] }).nodes.map((n) => n.nodeId).sort().join(',');
        if (listed !== want) return `${gateway.id} hands out [${listed}]`;
      }
      return true;
    });
  }

  /** Bytes a gateway's relay has received on its live node connections (the kernel's TCP counters, read with `ss`). */
  async relayBytesIn(gateway: ProbedApp): Promise<number> {
    const out = await this.target.net.exec(gateway.host, 'ss', ['-Htin', 'state', 'established', 'sport', '=', `:${APP_PORTS.relay}`]);
    let total = 0;
    for (const match of out.matchAll(/bytes_received:(\d+)/g)) total += Number(match[1]);
    return total;
  }

  /** The remote addresses of a node's established connections to a relay port. */
  private async relayPeers(node: ProbedApp): Promise<Set<string>> {
    const out = await this.target.net.exec(node.host, 'ss', ['-Htn', 'state', 'established', 'dport', '=', `:${APP_PORTS.relay}`]);
    const peers = new Set<string>();
    for (const match of out.matchAll(/\s(\d+\.\d+\.\d+\.\d+):\d+\s*$/gm)) peers.add(match[1] ?? '');
    return peers;
  }
}
