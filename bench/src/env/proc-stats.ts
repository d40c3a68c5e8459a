import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** A server process the benchmark accounts for. */
export interface WatchedProcess {
  /** e.g. `parley:im-1`, `parley:mariadb`, `baseline:node-1`. */
  name: string;
  pid: number;
  /** Whether the probe preload runs in it (Node processes started by the bench). */
  probed: boolean;
}

export interface ProcSample {
  cpuSeconds: number;
  /** The kernel's share of cpuSeconds (stime): syscalls, and the loopback network stack they run. */
  systemSeconds: number;
  rssBytes: number;
  /**
   * read- and write-type syscalls of every thread (/proc/<pid>/io syscr +
   * syscw): each socket read, write or writev. A count, not a time, so it
   * does not move with the host's noise. NaN where /proc/<pid>/io is closed.
   */
  ioSyscalls: number;
  /**
   * Times the main thread gave up the CPU to wait (its voluntary context
   * switches): for an event loop, one per wake-up from epoll or a timer.
   */
  wakeups: number;
}

export interface HeapSample {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** V8 heap space sizes (bytes reserved), by space name: where RSS beyond the live heap sits. */
  spaces?: Record<string, number>;
}

/** How late a process's event loop ran its timers (monitorEventLoopDelay), in ms. */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  count: number;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** syscr + syscw of /proc/<pid>/io; NaN when it cannot be read (another user's process). */
function ioSyscallsOf(pid: number): number {
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/syscr:\s+(\d+)/.exec(io)?.[1] ?? Number.NaN) + Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** utime + stime, VmRSS, I/O syscalls and main-thread wake-ups of a live process, from /proc. */
export function sampleProc(pid: number): ProcSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // /proc/<pid>/status speaks for the thread group's leader: the event loop's thread.
  const wakeups = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return { cpuSeconds: (utime + stime) / CLK_TCK, systemSeconds: stime / CLK_TCK, rssBytes: rssKb * 1024, ioSyscalls: ioSyscallsOf(pid), wakeups };
}

/** Finds the pid of a running process whose command line contains every needle. */
export function findPid(needles: readonly string[]): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (needles.every((n) => cmd.includes(n))) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

function probeGet<T>(probeDir: string, pid: number, urlPath: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: path.join(probeDir, `${pid}.sock`), path: urlPath, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`probe ${urlPath} on ${pid}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`probe ${urlPath} on ${pid} timed out`)));
    req.on('error', reject);
  });
}

/** Reads and samples a set of server processes; heap comes from the probe preload. */
export class ServerStats {
  constructor(
    public processes: WatchedProcess[],
    private readonly probeDir: string,
  ) {}

  /** Swaps the processes named with `prefix` for new ones (the Parley fleet restarted in another shape). */
  replace(prefix: string, processes: readonly WatchedProcess[]): void {
    this.processes = [...processes, ...this.processes.filter((p) => !p.name.startsWith(prefix))];
  }

  snapshot(): Record<string, ProcSample> {
    const out: Record<string, ProcSample> = {};
    for (const p of this.processes) {
      try {
        out[p.name] = sampleProc(p.pid);
      } catch {
        out[p.name] = { cpuSeconds: Number.NaN, systemSeconds: Number.NaN, rssBytes: Number.NaN, ioSyscalls: Number.NaN, wakeups: Number.NaN };
      }
    }
    return out;
  }

  /** Heap after a full GC in every probed process (forces GC: call between measurements only). */
  heap(): Promise<Record<string, HeapSample>> {
    return this.probeAll<HeapSample>('/mem');
  }

  /** Event-loop delay of every probed process since its previous read (each read starts a new window). */
  loopDelay(): Promise<Record<string, LoopDelay>> {
    return this.probeAll<LoopDelay>('/loop');
  }

  /** One probe endpoint's answer from every probed process, by name. */
  private async probeAll<T>(urlPath: string): Promise<Record<string, T>> {
    const out: Record<string, T> = {};
    await Promise.all(
      this.processes
        .filter((p) => p.probed)
        .map(async (p) => {
          out[p.name] = await probeGet<T>(this.probeDir, p.pid, urlPath);
        }),
    );
    return out;
  }

  async startProfiles(prefix: string): Promise<void> {
    await Promise.all(
      this.processes.filter((p) => p.probed && p.name.startsWith(prefix)).map((p) => probeGet(this.probeDir, p.pid, '/prof/start')),
    );
  }

  async stopProfiles(prefix: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    await Promise.all(
      this.processes
        .filter((p) => p.probed && p.name.startsWith(prefix))
        .map(async (p) => {
          out[p.name] = (await probeGet<{ file: string }>(this.probeDir, p.pid, '/prof/stop')).file;
        }),
    );
    return out;
  }
}

/** CPU seconds, syscalls and wake-ups of every process between two snapshots, and its final RSS. */
export function usageBetween(
  before: Record<string, ProcSample>,
  after: Record<string, ProcSample>,
): Record<string, ProcSample> {
  const out: Record<string, ProcSample> = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name];
    out[name] = {
      cpuSeconds: b ? a.cpuSeconds - b.cpuSeconds : Number.NaN,
      systemSeconds: b ? a.systemSeconds - b.systemSeconds : Number.NaN,
      rssBytes: a.rssBytes,
      ioSyscalls: b ? a.ioSyscalls - b.ioSyscalls : Number.NaN,
      wakeups: b ? a.wakeups - b.wakeups : Number.NaN,
    };
  }
  return out;
}

/** Sums CPU seconds over the processes whose name starts with one of the prefixes. */
export function cpuOf(usage: Record<string, { cpuSeconds: number }>, prefixes: readonly string[]): number {
  return Object.entries(usage)
    .filter(([name]) => prefixes.some((p) => name.startsWith(p)))
    .reduce((sum, [, u]) => sum + u.cpuSeconds, 0);
}
