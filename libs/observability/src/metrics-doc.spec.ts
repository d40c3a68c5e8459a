import fs from 'node:fs';
import path from 'node:path';
import { ParleyMetrics } from './parley-metrics';

const DOC = path.resolve(__dirname, '../../../docs/operations.md');

interface Family {
  name: string;
  type: string;
  labels: string[];
}

/** Every parley_* family of a fresh ParleyMetrics, as its registry reports it. */
async function familiesInCode(): Promise<Family[]> {
  const metrics = new ParleyMetrics({ defaultMetrics: false });
  const json = await metrics.registry.getMetricsAsJSON();
  return json
    .filter((family) => family.name.startsWith('parley_'))
    .map((family) => ({ name: family.name, type: String(family.type), labels: labelNamesOf(metrics, family.name) }));
}

/** prom-client keeps a family's label names on the metric object; its typings do not declare the field. */
function labelNamesOf(metrics: ParleyMetrics, name: string): string[] {
  const metric: unknown = metrics.registry.getSingleMetric(name);
  const labelNames = (metric as { labelNames?: unknown } | undefined)?.labelNames;
  if (!Array.isArray(labelNames)) throw new Error(`${name}: prom-client no longer exposes labelNames`);
  return labelNames.map(String);
}

/** The rows of the metrics table in docs/operations.md: | `name` | type | `a`, `b` | meaning |. */
function familiesInDoc(markdown: string): Family[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Metrics\n'));
  if (!section) throw new Error('docs/operations.md has no "## Metrics" section');
  return section
    .split('\n')
    .filter((line) => /^\| `parley_/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      const [, name = '', type = '', labels = ''] = cells;
      return {
        name: name.replace(/`/g, ''),
        type,
        labels: labels === '' || labels === '-' ? [] : labels.split(',').map((label) => label.trim().replace(/`/g, '')),
      };
    });
}

describe('the metrics list in docs/operations.md', () => {
  const doc = familiesInDoc(fs.readFileSync(DOC, 'utf8'));

  it('is found (the table parses)', () => {
    expect(doc.length).toBeGreaterThan(20);
  });

  it('names every parley_* family the code creates, and no other', async () => {
    const code = await familiesInCode();
    expect(doc.map((f) => f.name).sort()).toEqual(code.map((f) => f.name).sort());
  });

  it('gives each family the type and labels the code gives it', async () => {
    const code = new Map((await familiesInCode()).map((f) => [f.name, f]));
    for (const row of doc) {
      const family = code.get(row.name);
      expect({ name: row.name, type: row.type, labels: row.labels }).toEqual({ name: row.name, type: family?.type, labels: family?.labels });
    }
  });

  it('lists each family once', () => {
    const names = doc.map((f) => f.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
