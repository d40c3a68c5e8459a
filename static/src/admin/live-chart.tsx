import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  /** Dashed (the second series of a pair, e.g. relay frames out). */
  dashed?: boolean;
}

interface Props {
  title: string;
  /** What the y axis counts, e.g. "msgs/s". */
  unit: string;
  series: readonly ChartSeries[];
  /** uPlot's aligned data: times (epoch s), then one column per series. */
  data: uPlot.AlignedData;
  testId: string;
  height?: number;
}

/** The shortest time the x axis spans, seconds. */
const MIN_SPAN_S = 60;

/**
 * The x axis: from the oldest sample to the newest, at least a minute. From
 * the data, not uPlot's guess: for a single sample it would span years.
 */
function timeRange(u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const times = u.data[0];
  const newest = times[times.length - 1] ?? max;
  const oldest = times[0] ?? min;
  return [Math.min(oldest, newest - MIN_SPAN_S), newest];
}

const clock = (epochSec: number): string => new Date(epochSec * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const fmt = (v: number | null): string => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0');

/**
 * One live uPlot chart. The plot is made once per set of series (a node
 * joining or leaving makes a new one) and fed new data on every poll; it
 * follows its box's width. `data-points` on the figure says how many
 * samples are drawn and `data-last-max` the largest newest value, so a
 * test can tell the chart moved without reading pixels.
 */
export function LiveChart({ title, unit, series, data, testId, height = 180 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const signature = series.map((s) => `${s.label}|${s.color}|${s.dashed ? 1 : 0}`).join(';');

  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const options: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height,
      scales: { x: { time: true, range: timeRange }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      // One line of clock time per tick (uPlot's default adds a date line whose labels collide across a minute).
      axes: [{ stroke: '#6b7185', grid: { stroke: '#eef0f5' }, space: 64, values: (_u, ticks) => ticks.map(clock) }, { stroke: '#6b7185', grid: { stroke: '#eef0f5' }, size: 48, label: unit, labelSize: 16 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dashed ? [6, 4] : undefined, value: (_u: uPlot, v: number | null) => fmt(v), spanGaps: false })),
      ],
    };
    const made = new uPlot(options, data, target);
    plot.current = made;
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(200, target.clientWidth), height }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = null;
    };
    // The plot is remade only when its series change; new data goes through setData below.
  }, [signature, height, unit]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const newest = data.slice(1).map((column) => column[column.length - 1] ?? null);
  const lastMax = Math.max(0, ...newest.map((v) => v ?? 0));
  return (
    <figure class="ops-chart" data-testid={testId} data-points={data[0].length} data-last-max={lastMax}>
      <figcaption>{title}</figcaption>
      <div ref={box} class="ops-chart-plot" />
    </figure>
  );
}
