import { createHash } from 'node:crypto';
import type { CheckState, ServiceState } from './records';
import type { CheckStatus } from './types';

/** The JSON shapes Consul answers with: agent listings and health entries. */

/** The simulator's one agent node. */
export interface NodeInfo {
  id: string;
  name: string;
  datacenter: string;
}

export type HealthEntry = { Checks: Array<{ Status: CheckStatus }> } & Record<string, unknown>;

export function agentServices(node: NodeInfo, services: Iterable<ServiceState>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of services) {
    out[s.id] = { ...serviceJson(s), Datacenter: node.datacenter };
  }
  return out;
}

export function agentChecks(node: NodeInfo, services: Iterable<ServiceState>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of services) {
    for (const c of s.checks.values()) out[c.def.checkId] = checkJson(node, s, c);
  }
  return out;
}

/** GET /v1/agent/service/:id (ContentHash lets Consul clients block on changes; here a hash of the definition). */
export function agentService(node: NodeInfo, s: ServiceState): Record<string, unknown> {
  const service = serviceJson(s);
  const contentHash = createHash('sha256').update(JSON.stringify(service)).digest('hex').slice(0, 16);
  return { ...service, ContentHash: contentHash, Datacenter: node.datacenter };
}

export function healthEntry(node: NodeInfo, s: ServiceState): HealthEntry {
  const serf = {
    Node: node.name,
    CheckID: 'serfHealth',
    Name: 'Serf Health Status',
    Status: 'passing' as CheckStatus,
    Notes: '',
    Output: 'Agent alive and reachable',
    ServiceID: '',
    ServiceName: '',
    ServiceTags: [],
    Type: '',
    CreateIndex: 1,
    ModifyIndex: 1,
  };
  return {
    Node: {
      ID: node.id,
      Node: node.name,
      Address: '127.0.0.1',
      Datacenter: node.datacenter,
      TaggedAddresses: { lan: '127.0.0.1', wan: '127.0.0.1' },
      Meta: {},
      CreateIndex: 1,
      ModifyIndex: 1,
    },
    Service: { ...serviceJson(s), CreateIndex: s.createIndex, ModifyIndex: s.modifyIndex },
    Checks: [serf, ...[...s.checks.values()].map((c) => checkJson(node, s, c))],
  };
}

function serviceJson(s: ServiceState): Record<string, unknown> {
  return {
    ID: s.id,
    Service: s.name,
    Tags: [...s.tags],
    Address: s.address,
    Meta: { ...s.meta },
    Port: s.port,
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
  };
}

function checkJson(node: NodeInfo, s: ServiceState, c: CheckState): { Status: CheckStatus } & Record<string, unknown> {
  return {
    Node: node.name,
    CheckID: c.def.checkId,
    Name: c.def.name,
    Status: c.def.status,
    Notes: '',
    Output: c.def.output,
    ServiceID: s.id,
    ServiceName: s.name,
    ServiceTags: [...s.tags],
    Type: 'http',
    CreateIndex: c.createIndex,
    ModifyIndex: c.modifyIndex,
  };
}
