import { useMemo } from 'preact/hooks';
import { chartData, type FleetHistory, type SeriesKey } from './fleet-history';
import { nodeColor } from './fleet-format';
import { LiveChart, type ChartSeries } from './live-chart';

interface Props {
  history: FleetHistory;
}

interface Column {
  nodeId: string;
  key: SeriesKey;
  series: ChartSeries;
}

/** One line per node for `key`, in the node's colour. */
function perNode(nodeIds: readonly string[], key: SeriesKey): Column[] {
  return nodeIds.map((nodeId, i) => ({ nodeId, key, series: { label: nodeId, color: nodeColor(i) } }));
}

/** Relay frames in (solid) and out (dashed) per node. */
function relayColumns(nodeIds: readonly string[]): Column[] {
  return nodeIds.flatMap((nodeId, i) => [
    { nodeId, key: 'relayFramesIn' as const, series: { label: `${nodeId} in`, color: nodeColor(i) } },
    { nodeId, key: 'relayFramesOut' as const, series: { label: `${nodeId} out`, color: nodeColor(i), dashed: true } },
  ]);
}

/** The live charts: connections, messages per second and relay traffic per node, over the last five minutes. */
export function FleetCharts({ history }: Props) {
  const nodeIds = useMemo(() => [...history.series.keys()], [history.series]);
  const charts = useMemo(
    () => [
      { testId: 'chart-connections', title: 'Connections per node', unit: 'sockets', columns: perNode(nodeIds, 'sockets') },
      { testId: 'chart-messages', title: 'Messages accepted per second', unit: 'msgs/s', columns: perNode(nodeIds, 'messagesAccepted') },
      { testId: 'chart-relay', title: 'Relay frames per second (in ─, out ╌)', unit: 'frames/s', columns: relayColumns(nodeIds) },
    ],
    [nodeIds.join(',')],
  );
  // New data only when a poll came: typing elsewhere on the page re-renders without redrawing the charts.
  const data = useMemo(() => charts.map((c) => chartData(history, c.columns)), [history, charts]);
  return (
    <div class="ops-charts">
      {charts.map((c, i) => (
        <LiveChart key={c.testId} testId={c.testId} title={c.title} unit={c.unit} series={c.columns.map((col) => col.series)} data={data[i] ?? [[]]} />
      ))}
    </div>
  );
}
