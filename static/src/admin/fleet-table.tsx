import type { Fleet } from '@parley/protocol';
import type { FleetHistory } from './fleet-history';
import { HEALTH_LABEL, formatAge, formatCount, formatRate, formatUptime, nodeColor } from './fleet-format';

interface Props {
  fleet: Fleet;
  history: FleetHistory;
  /** Asks (with confirmation) to drain a node; undefined while an action runs. */
  onDrain: ((nodeId: string) => void) | undefined;
}

/** The IM nodes and the gateways, one row each, as the last poll saw them. */
export function FleetTable({ fleet, history, onDrain }: Props) {
  const order = [...history.series.keys()];
  return (
    <div class="ops-tables">
      <div class="ops-scroll">
        <table class="ops-table" data-testid="fleet-nodes">
          <caption>IM nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Health</th>
              <th scope="col" class="num">Sockets</th>
              <th scope="col" class="num">Users</th>
              <th scope="col" class="num">Msgs/s</th>
              <th scope="col" class="num">Deliveries/s</th>
              <th scope="col" class="num">Relay in/s</th>
              <th scope="col" class="num">Relay out/s</th>
              <th scope="col" class="num">Outbox</th>
              <th scope="col">Gateways</th>
              <th scope="col">Report</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fleet.nodes.length === 0 && (
              <tr>
                <td colSpan={12} class="muted">
                  No IM node has reported to this gateway.
                </td>
              </tr>
            )}
            {fleet.nodes.map((node) => {
              const latest = history.latest.get(node.nodeId);
              const rates = latest?.rates;
              return (
                <tr key={node.nodeId} data-testid="fleet-node" data-node={node.nodeId} data-health={node.health} data-silent={latest?.silent ? 'true' : undefined}>
                  <th scope="row">
                    <span class="ops-swatch" style={{ background: nodeColor(order.indexOf(node.nodeId)) }} aria-hidden="true" />
                    <span class="ops-node-id">{node.nodeId}</span>
                    <span class="ops-sub">{node.url}</span>
                  </th>
                  <td>
                    <span class={`ops-health ops-health-${node.health}`} data-testid="node-health">
                      {HEALTH_LABEL[node.health]}
                    </span>
                  </td>
                  <td class="num" data-testid="node-sockets">
                    {formatCount(node.sockets)}
                  </td>
                  <td class="num" data-testid="node-users">
                    {formatCount(node.users)}
                  </td>
                  <td class="num" data-testid="node-msgs">
                    {formatRate(rates?.messagesAccepted)}
                  </td>
                  <td class="num">{formatRate(rates?.deliveries)}</td>
                  <td class="num">{formatRate(rates?.relayFramesIn)}</td>
                  <td class="num">{formatRate(rates?.relayFramesOut)}</td>
                  <td class={`num${node.outboxDepth > 0 ? ' ops-warn' : ''}`}>{formatCount(node.outboxDepth)}</td>
                  <td>{node.gateways.length > 0 ? node.gateways.join(', ') : <span class="ops-warn">none</span>}</td>
                  <td class={`ops-nowrap${latest?.silent ? ' ops-warn' : ''}`} title={latest?.silent ? 'No new report: its rates are not shown' : undefined}>
                    {formatAge(node.receivedAt, fleet.at)}
                    <span class="ops-sub">up {formatUptime(node.startedAt, fleet.at)}</span>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="danger small"
                      disabled={!onDrain || node.health === 'draining' || node.health === 'stale'}
                      onClick={() => onDrain?.(node.nodeId)}
                      aria-label={`Drain ${node.nodeId}`}
                    >
                      Drain
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="ops-scroll">
        <table class="ops-table ops-table-gateways" data-testid="fleet-gateways">
          <caption>Gateways</caption>
          <thead>
            <tr>
              <th scope="col">Gateway</th>
              <th scope="col">Nodes with a ready relay stream</th>
            </tr>
          </thead>
          <tbody>
            {fleet.gateways.map((gw) => (
              <tr key={gw.gatewayId} data-testid="fleet-gateway" data-gateway={gw.gatewayId}>
                <th scope="row">
                  {gw.gatewayId} {gw.self && <span class="pill">answered this page</span>}
                </th>
                <td>{gw.nodes.length > 0 ? gw.nodes.join(', ') : <span class="ops-warn">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
