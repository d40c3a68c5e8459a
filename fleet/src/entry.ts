import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NetnsHost, NetnsNetwork } from '@parley/testing';
import { entryMainConfig, renderEntryTemplate } from './nginx-config';
import { GaveUp, waitFor } from './wait';

const TEMPLATE = path.resolve(__dirname, '../../docker/nginx/parley.conf.template');
const NGINX = '/usr/sbin/nginx';

export interface EntryOptions {
  net: NetnsNetwork;
  host: NetnsHost;
  /** The DNS server nginx resolves gateway and node names with, at request time. */
  resolver: string;
  /** name:port of the gateways. */
  gateway: string;
  nodePort: number;
  /** The node ids the entry routes (a regex for one path segment); no other name is ever resolved. */
  nodePattern: string;
  logDir: string;
}

export interface Entry {
  stop(): Promise<void>;
}

/** Why the entry cannot run here (nginx not installed), or undefined. */
export function entryUnavailableReason(): string | undefined {
  return fs.existsSync(NGINX) ? undefined : `${NGINX} not found (install the nginx package)`;
}

/**
 * nginx on its own host, port 80, configured from the deployment's template:
 * the fleet's one public entry. Resolves once nginx answers a request itself
 * (a path under /n/ that is no node's).
 */
export async function startEntry(options: EntryOptions): Promise<Entry> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-entry-'));
  const serverConfigFile = path.join(runDir, 'parley.conf');
  fs.writeFileSync(
    serverConfigFile,
    renderEntryTemplate(fs.readFileSync(TEMPLATE, 'utf8'), {
      ENTRY_RESOLVER: options.resolver,
      ENTRY_GATEWAY: options.gateway,
      ENTRY_NODE_PATTERN: options.nodePattern,
      ENTRY_NODE_SUFFIX: '',
      ENTRY_NODE_PORT: String(options.nodePort),
    }),
  );
  const mainFile = path.join(runDir, 'nginx.conf');
  fs.writeFileSync(
    mainFile,
    entryMainConfig({
      runDir,
      serverConfigFile,
      errorLog: path.join(options.logDir, 'entry-error.log'),
      accessLog: path.join(options.logDir, 'entry-access.log'),
    }),
  );
  const child = options.net.spawnIn(options.host, NGINX, ['-c', mainFile, '-p', runDir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM'); // nginx: fast shutdown
      await exited;
    }
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await waitFor('nginx to answer', 10_000, async () => {
      if (child.exitCode !== null) throw new GaveUp(`nginx exited with ${child.exitCode}; see ${options.logDir}/entry-error.log`);
      const res = await fetch(`http://${options.host.address}/n/`);
      return res.status === 404 ? true : `answered ${res.status}`;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
