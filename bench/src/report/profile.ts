import fs from 'node:fs';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
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
  return {
    file,
    samples,
    byModule: [...byModule].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, n]) => ({ module, percent: pct(n) })),
    topFunctions: [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, n]) => ({ fn, percent: pct(n) })),
  };
}
