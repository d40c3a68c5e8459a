import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { sourceAddress } from '../load/source-address';

/** What S1 is asked to hold, and over how many processes. */
export interface ConnectionPlan {
  connections: number;
  nodes: number;
  workers: number;
  sourceAddresses: number;
  /** Handshakes in flight per worker while ramping. */
  connectConcurrency: number;
}

export interface PreflightResult {
  /** The run cannot reach the target: stop before starting anything. */
  errors: string[];
  /** Likely to hurt the figures, not fatal. */
  warnings: string[];
}

/** Descriptors a process needs besides its sockets (modules, logs, pipes, Redis/MariaDB pools). */
const FD_MARGIN = 1024;
/** Rough memory of one idle connection, both ends (server heap + RSS, the client socket in a worker). */
const BYTES_PER_CONNECTION_ESTIMATE = 48 * 1024;

function readNumbers(file: string): number[] | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * The hard RLIMIT_NOFILE children of this process inherit. Node raises its
 * soft limit to the hard one at startup, so the hard limit is what an IM node
 * or a worker can hold.
 */
function hardFileLimit(): number {
  try {
    const out = execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim();
    return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
  } catch {
    return Number.NaN;
  }
}

async function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Checks the limits that make a large S1 fail obscurely (EMFILE in a node,
 * EADDRNOTAVAIL in a worker, a kernel table full) before anything starts.
 */
export async function checkConnectionPlan(plan: ConnectionPlan): Promise<PreflightResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { connections, nodes, workers, sourceAddresses } = plan;
  const perNode = Math.ceil(connections / nodes) + FD_MARGIN;
  const perWorker = Math.ceil(connections / workers) + FD_MARGIN;
  const hard = hardFileLimit();
  if (!(hard >= Math.max(perNode, perWorker))) {
    errors.push(
      `open files: each IM node needs ~${perNode} descriptors and each load worker ~${perWorker}, but the hard limit (ulimit -Hn) is ${hard}: ` +
        `run the bench from a shell with \`ulimit -n ${Math.max(perNode, perWorker) * 2}\` (raise nofile in /etc/security/limits.conf or LimitNOFILE= first), or use more --nodes / --workers`,
    );
  }
  const nrOpen = readNumbers('/proc/sys/fs/nr_open')?.[0];
  if (nrOpen !== undefined && nrOpen < Math.max(perNode, perWorker)) {
    errors.push(`fs.nr_open is ${nrOpen}, below the ${Math.max(perNode, perWorker)} descriptors one process needs: sysctl -w fs.nr_open=${Math.max(perNode, perWorker) * 2}`);
  }
  const fileMax = readNumbers('/proc/sys/fs/file-max')?.[0];
  // Both ends of a loopback connection are descriptors on this machine.
  const machineFds = 2 * connections + (nodes + workers) * FD_MARGIN;
  if (fileMax !== undefined && fileMax < machineFds) {
    errors.push(`fs.file-max is ${fileMax}; ${connections} loopback connections need ~${machineFds} descriptors machine-wide: sysctl -w fs.file-max=${machineFds * 2}`);
  }
  const range = readNumbers('/proc/sys/net/ipv4/ip_local_port_range');
  if (range?.length === 2) {
    const [lo = 0, hi = 0] = range;
    const ports = hi - lo + 1;
    const perAddress = Math.ceil(connections / sourceAddresses);
    // A port freed by an earlier step may still be in TIME_WAIT: keep a tenth spare.
    if (perAddress > ports * 0.9) {
      const needed = Math.ceil(connections / (ports * 0.9));
      errors.push(
        `source ports: ${perAddress} connections per source address but net.ipv4.ip_local_port_range gives ${ports} ports (${lo}-${hi}): ` +
          `use --source-addresses ${needed} or more, or sysctl -w net.ipv4.ip_local_port_range="1024 65535"`,
      );
    }
  }
  const last = sourceAddress(sourceAddresses - 1);
  if (!(await canBind(last))) errors.push(`cannot bind the source address ${last} (--source-addresses ${sourceAddresses}): the loopback interface must route 127.0.0.0/8`);
  const conntrack = readNumbers('/proc/sys/net/netfilter/nf_conntrack_max')?.[0];
  // A count of 0 with connections open (this process has some) means nothing hooks conntrack: its table cannot fill.
  const tracked = (readNumbers('/proc/sys/net/netfilter/nf_conntrack_count')?.[0] ?? 0) > 0;
  if (tracked && conntrack !== undefined && conntrack < connections * 1.1) {
    errors.push(`net.netfilter.nf_conntrack_max is ${conntrack}: conntrack tracks loopback connections too; sysctl -w net.netfilter.nf_conntrack_max=${Math.ceil(connections * 1.5)} (or unload nf_conntrack)`);
  }
  const somaxconn = readNumbers('/proc/sys/net/core/somaxconn')?.[0];
  const inFlightPerNode = Math.ceil((plan.connectConcurrency * workers) / nodes);
  if (somaxconn !== undefined && somaxconn < inFlightPerNode) {
    warnings.push(`net.core.somaxconn is ${somaxconn}, below the ~${inFlightPerNode} handshakes in flight per node: SYNs may be dropped and retried (sysctl -w net.core.somaxconn=65535)`);
  }
  const memory = connections * BYTES_PER_CONNECTION_ESTIMATE;
  if (memory > os.totalmem() * 0.8) {
    warnings.push(`memory: ~${(memory / 2 ** 30).toFixed(0)} GiB estimated for ${connections} connections (both ends), the machine has ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  }
  return { errors, warnings };
}
