import fs from 'node:fs';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  samples: number;
  /** Share of samples by where the code lives (a package, a Parley lib, Node internals, GC, idle). */
  byModule: { module: string; percent: number }[];
  /** Functions with the most self time. */
  topFunctions: { fn: string; percent: number }[];
  /**
   * Share of the busy (not idle) samples spent on metrics: anything under a
   * prom-client frame (scrapes included), plus the self time of Parley's
   * metric code (libs/observability but its tracing, the apps' metrics folders).
   */
  metricsPercentOfBusy: number;
}

/** Parley's own metric code: counted by self time (a timed store call's own work is not metrics). */
const METRIC_CODE = /\/libs\/(observability\/src\/(?!tracing\/)|im-node\/src\/metrics\/|gateway-server\/src\/metrics\/)/;

/** Busy samples spent on metrics (see ProfileSummary.metricsPercentOfBusy). */
function metricsShare(profile: CpuProfile): { busy: number; metrics: number } {
  const parent = new Map<number, CpuProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const underPromClient = (node: CpuProfileNode): boolean => {
    for (let at: CpuProfileNode | undefined = node; at; at = parent.get(at.id)) if (at.callFrame.url.includes('/prom-client/')) return true;
    return false;
  };
  let busy = 0;
  let metrics = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    busy += hits;
    if (METRIC_CODE.test(node.callFrame.url) || underPromClient(node)) metrics += hits;
  }
  return { busy, metrics };
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  const lib = /\/(libs|apps)\/([^/]+)\//.exec(url)?.[2];
  if (lib !== undefined) return `@parley/${lib}`;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url.split('/').slice(-2).join('/');
}

/** Self-time summary of a V8 .cpuprofile. */
export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  let samples = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    samples += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url ? `${url.replace(/^.*\/(node_modules|libs|apps)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${short}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    const mod = moduleOf(url, functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  const pct = (n: number) => Math.round((1000 * n) / Math.max(1, samples)) / 10;
  const share = metricsShare(profile);
  return {
    file,
    samples,
    metricsPercentOfBusy: Math.round((10_000 * share.metrics) / Math.max(1, share.busy)) / 100,
    byModule: [...byModule].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, n]) => ({ module, percent: pct(n) })),
    topFunctions: [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, n]) => ({ fn, percent: pct(n) })),
  };
}
