import { ParleyMetrics } from '@parley/observability';

/**
 * What a PromQL expression names, for checking dashboards and docs against
 * the metrics that exist. Not a PromQL parser: strings, label matchers,
 * groupings and range selectors are cut out, then every identifier left is
 * a function (followed by `(`), a keyword, or a metric name.
 */
export interface PromqlNames {
  metrics: string[];
  functions: string[];
  labels: string[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'inf', 'nan']);

/** Aggregation operators and functions of PromQL (Prometheus 2.55), the ones a dashboard may call. */
export const PROMQL_FUNCTIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week', 'day_of_year',
  'days_in_month', 'delta', 'deriv', 'exp', 'floor', 'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantile',
  'histogram_sum', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'ln', 'log2', 'log10', 'minute',
  'month', 'predict_linear', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time',
]);

/** Grafana template functions that may stand where a PromQL expression does (variables' queries). */
const GRAFANA_QUERY = /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{[^}]*\})?\s*,?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/;

export function promqlNames(expr: string): PromqlNames {
  const labels: string[] = [];
  const grafana = GRAFANA_QUERY.exec(expr);
  if (grafana) return { metrics: grafana[1] ? [grafana[1]] : [], functions: [], labels: grafana[2] ? [grafana[2]] : [] };

  let rest = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  // Label matchers: {name="v", other!~"…"}; the names are kept for the label check.
  rest = rest.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) if (m[1]) labels.push(m[1]);
    return ' ';
  });
  // Groupings: by (a, b), without (…), on (…), ignoring (…), group_left (…), group_right (…).
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _kw: string, inner: string) => {
    for (const name of inner.split(',').map((s) => s.trim()).filter(Boolean)) labels.push(name);
    return ' ';
  });
  // Range and subquery selectors, and Grafana's $__interval-style variables.
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ' ');

  const metrics: string[] = [];
  const functions: string[] = [];
  for (const m of rest.matchAll(/(?<![0-9.a-zA-Z_:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2]) functions.push(name);
    else if (!KEYWORDS.has(name.toLowerCase())) metrics.push(name);
  }
  return { metrics, functions, labels };
}

/**
 * Every series name a Parley process exports (a histogram as its _bucket,
 * _sum and _count) with the labels each may carry, plus Prometheus' own `up`;
 * and the family names (a histogram's without suffix), which prose may name.
 */
export function exportedSeries(): Promise<ExportedSeries> {
  // One registry for the whole test file: default metrics start a GC observer per registry.
  exported ??= readExportedSeries();
  return exported;
}

interface ExportedSeries {
  names: Set<string>;
  families: Set<string>;
  labels: Set<string>;
}
let exported: Promise<ExportedSeries> | undefined;

async function readExportedSeries(): Promise<ExportedSeries> {
  const metrics = new ParleyMetrics();
  const names = new Set<string>(['up']);
  const families = new Set<string>();
  const labels = new Set<string>(['job', 'instance', 'le']);
  for (const family of await metrics.registry.getMetricsAsJSON()) {
    families.add(family.name);
    const type = String(family.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family.name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(family.name + suffix);
    else names.add(family.name);
    const metric: unknown = metrics.registry.getSingleMetric(family.name);
    const labelNames = (metric as { labelNames?: unknown } | undefined)?.labelNames;
    if (Array.isArray(labelNames)) for (const label of labelNames) labels.add(String(label));
  }
  return { names, families, labels };
}
