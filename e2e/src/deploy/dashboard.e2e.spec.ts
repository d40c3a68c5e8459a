import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { exportedSeries, promqlNames, PROMQL_FUNCTIONS } from './promql-names';
import { describeWithTool, findTool, REPO_ROOT, run } from './tools';

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ query?: string | { query?: string } }> };
}

const DASHBOARD = path.join(REPO_ROOT, 'docker/grafana/dashboards/parley.json');
const DATASOURCES = path.join(REPO_ROOT, 'docker/grafana/provisioning/datasources/prometheus.yml');

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Each PromQL expression of the dashboard, with the panel that draws it. */
function expressions(dashboard: Dashboard): Array<{ panel: string; expr: string }> {
  const fromPanels = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title, expr: t.expr }] : [])));
  const fromVariables = (dashboard.templating?.list ?? []).flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    return query ? [{ panel: 'variable', expr: query }] : [];
  });
  return [...fromPanels, ...fromVariables];
}

/** What is wrong with an expression: unknown metrics, functions or labels (empty when it is right). */
async function problemsOf(expr: string): Promise<string[]> {
  const { names, labels } = await exportedSeries();
  const found = promqlNames(expr);
  return [
    ...found.metrics.filter((m) => !names.has(m)).map((m) => `no metric ${m}`),
    ...found.functions.filter((f) => !PROMQL_FUNCTIONS.has(f)).map((f) => `no function ${f}`),
    ...found.labels.filter((l) => !labels.has(l)).map((l) => `no label ${l}`),
  ];
}

describe('the Grafana dashboard (docker/grafana/dashboards/parley.json)', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const exprs = expressions(dashboard);

  it('parses, with a stable uid and a query in every graph', () => {
    expect(dashboard.uid).toBe('parley-overview');
    expect(dashboard.title).toBe('Parley');
    const drawn = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
    expect(drawn.length).toBeGreaterThan(20);
    for (const panel of drawn) expect({ panel: panel.title, queries: (panel.targets ?? []).filter((t) => t.expr).length > 0 }).toEqual({ panel: panel.title, queries: true });
    const ids = allPanels(dashboard.panels).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries the provisioned Prometheus data source by its uid', () => {
    const provisioned = parse(fs.readFileSync(DATASOURCES, 'utf8')) as { datasources: Array<{ uid: string; type: string }> };
    const uid = provisioned.datasources.find((d) => d.type === 'prometheus')?.uid;
    expect(uid).toBe('prometheus');
    for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, ds: panel.datasource }).toEqual({ panel: panel.title, ds: { type: 'prometheus', uid } });
      for (const t of panel.targets ?? []) expect({ panel: panel.title, ds: t.datasource?.uid }).toEqual({ panel: panel.title, ds: uid });
    }
  });

  it('names only metrics, functions and labels that exist (parley_* families, prom-client defaults, up)', async () => {
    expect(exprs.length).toBeGreaterThan(30);
    for (const { panel, expr } of exprs) expect({ panel, expr, problems: await problemsOf(expr) }).toEqual({ panel, expr, problems: [] });
  });

  it('answers the operator questions of issue 13 and the usual health views', () => {
    const has = (pattern: RegExp) => exprs.some(({ expr }) => pattern.test(expr.replace(/\s+/g, ' ')));
    const questions: Record<string, RegExp> = {
      'users online per node': /sum by \(node\) \(parley_users_connected\)/,
      'messages per second': /rate\(parley_messages_accepted_total\[/,
      'p99 ack latency': /histogram_quantile\(0\.99, sum by \((?:node, )?le\) \(rate\(parley_command_duration_seconds_bucket\{command="message:send"\}\[/,
      'relay lag': /histogram_quantile\(0\.99, sum by \((?:node, )?le\) \(rate\(parley_relay_delivery_lag_seconds_bucket\[/,
      'relay backlog (outbox)': /parley_relay_outbox_depth/,
      'relay drops': /parley_relay_frames_dropped_total/,
      'unhealthy processes': /parley_ready == 0/,
      'unscraped processes': /up\{job=~"parley-\.\*"\} == 0/,
      draining: /parley_draining/,
      handshakes: /rate\(parley_handshakes_total\[/,
      'command errors by code': /parley_commands_total\{code!="OK"\}/,
      'store p99': /histogram_quantile\(0\.99, sum by \(operation, le\) \(rate\(parley_store_operation_duration_seconds_bucket/,
      'redis p99': /histogram_quantile\(0\.99, sum by \(operation, le\) \(rate\(parley_redis_operation_duration_seconds_bucket/,
      'event-loop lag': /nodejs_eventloop_lag_p99_seconds/,
      heap: /nodejs_heap_size_used_bytes/,
    };
    for (const [question, pattern] of Object.entries(questions)) expect({ question, answered: has(pattern) }).toEqual({ question, answered: true });
  });

  it('lays panels out without overlap', () => {
    const boxes = allPanels(dashboard.panels).map((p) => ({ title: p.title, ...(p.gridPos ?? { h: 0, w: 0, x: 0, y: 0 }) }));
    for (const [i, a] of boxes.entries()) {
      expect(a.x + a.w).toBeLessThanOrEqual(24);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect({ a: a.title, b: b.title, overlap }).toEqual({ a: a.title, b: b.title, overlap: false });
      }
    }
  });
});

describe('the name check itself', () => {
  it('refuses a misspelt metric, function or label, and a histogram without its suffix', async () => {
    expect(await problemsOf('sum(rate(parley_mesages_accepted_total[1m]))')).toEqual(['no metric parley_mesages_accepted_total']);
    expect(await problemsOf('sum(rat(parley_messages_accepted_total[1m]))')).toEqual(['no function rat']);
    expect(await problemsOf('sum by (nodes) (parley_users_connected)')).toEqual(['no label nodes']);
    expect(await problemsOf('parley_command_duration_seconds{command="message:send"}')).toEqual(['no metric parley_command_duration_seconds']);
  });

  it('takes what exists: suffixes, defaults, up, numbers, strings holding names', async () => {
    const ok = [
      'histogram_quantile(0.99, sum by (node, le) (rate(parley_command_duration_seconds_bucket{command="message:send"}[5m])))',
      'count(parley_ready == 0 or up{job=~"parley-.*"} == 0) or vector(0)',
      'max by (job, instance) (nodejs_eventloop_lag_p99_seconds) > 1e-1',
      'sum(rate(nodejs_gc_duration_seconds_sum[1m] offset 5m))',
    ];
    for (const expr of ok) expect({ expr, problems: await problemsOf(expr) }).toEqual({ expr, problems: [] });
  });
});

describe('the PromQL in docs/operations.md', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const blocks = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
  // Inline spans that are expressions or metric names (not prose like `x_bucket`, not elided `…`).
  const prose = doc.split('\n').filter((line) => !line.startsWith('|')).join('\n');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)]
    .map((m) => m[1] ?? '')
    .filter((s) => /^(?:[a-z_]+(?: by| without)? ?\(|parley_|nodejs_|process_|up\{)/.test(s) && !/[…*<]/.test(s) && !s.startsWith('parley_*'));

  it('holds the five questions as promql blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(inline.length).toBeGreaterThan(20);
  });

  it('names only metrics, functions and labels that exist', async () => {
    for (const expr of blocks) expect({ expr, problems: await problemsOf(expr) }).toEqual({ expr, problems: [] });
  });

  it('names only existing metrics in its prose too (a bare name may be a histogram family)', async () => {
    const { families } = await exportedSeries();
    for (const expr of inline) {
      const problems = families.has(expr) ? [] : await problemsOf(expr);
      expect({ expr, problems }).toEqual({ expr, problems: [] });
    }
  });
});

/** With Prometheus' own tool installed (Debian's `prometheus` package), the real parser has the last word. */
describeWithTool('promtool', false)('promtool', () => {
  const promtool = findTool('promtool') as string;

  it('accepts docker/prometheus/prometheus.yml', () => {
    expect(run(promtool, ['check', 'config', path.join(REPO_ROOT, 'docker/prometheus/prometheus.yml')])).toMatch(/SUCCESS/);
  });

  it('parses every expression of the dashboard and of docs/operations.md', () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const exprs = [...expressions(dashboard).map((e) => e.expr), ...[...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim())];
    // Each as a recording rule: `promtool check rules` parses them with Prometheus' own PromQL parser.
    const rules = ['groups:', '  - name: parley-dashboard', '    rules:', ...exprs.flatMap((expr, i) => [`      - record: parley_check:r${i}`, `        expr: ${JSON.stringify(expr)}`])].join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-promql-'));
    try {
      fs.writeFileSync(path.join(dir, 'rules.yml'), `${rules}\n`);
      expect(run(promtool, ['check', 'rules', path.join(dir, 'rules.yml')])).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
