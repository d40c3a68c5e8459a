import fs from 'node:fs';
import path from 'node:path';

/** Where the cluster harness writes each process's output (libs/testing cluster-process.ts). */
export const CLUSTER_LOG_DIR = path.resolve(__dirname, '../../../tmp/cluster-logs');

export type LogLine = Record<string, unknown> & { time: number; msg: string };

/** The JSON lines of a process's log (its start banners and any non-JSON output skipped). */
export function logLines(processName: string): LogLine[] {
  const text = fs.readFileSync(path.join(CLUSTER_LOG_DIR, `${processName}.log`), 'utf8');
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(raw) as LogLine);
    } catch {
      // a line cut by a crash: not ours to judge here
    }
  }
  return lines;
}

/** The raw lines of the logs that contain `needle` (what `grep needle` shows). */
export function grepLogs(processNames: readonly string[], needle: string): { process: string; line: LogLine }[] {
  const found: { process: string; line: LogLine }[] = [];
  for (const name of processNames) {
    const text = fs.readFileSync(path.join(CLUSTER_LOG_DIR, `${name}.log`), 'utf8');
    for (const raw of text.split('\n')) if (raw.includes(needle)) found.push({ process: name, line: JSON.parse(raw) as LogLine });
  }
  return found;
}
