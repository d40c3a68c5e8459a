import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT, run } from './tools';

/** The one public entry's template, as compose mounts it (deploy/k8s/entry holds the same file). */
export const ENTRY_TEMPLATE = path.join(REPO_ROOT, 'docker/nginx/parley.conf.template');

export interface EntryVariables {
  ENTRY_RESOLVER: string;
  ENTRY_GATEWAY: string;
  /** The node ids the entry routes (a regex); nothing else under /n/ is resolved. */
  ENTRY_NODE_PATTERN: string;
  ENTRY_NODE_SUFFIX: string;
  ENTRY_NODE_PORT: string;
}

/**
 * What the nginx image's envsubst step makes of the template: every
 * `${ENTRY_*}` replaced (NGINX_ENVSUBST_FILTER=^ENTRY_), nginx's own
 * `$variables` left alone. A placeholder without a value is an error here,
 * where the image would leave it in and fail later.
 */
export function renderEntryTemplate(template: string, vars: EntryVariables): string {
  return template.replace(/\$\{(ENTRY_[A-Z_]+)\}/g, (_match, name: string) => {
    const value = (vars as unknown as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`the template uses \${${name}}, which has no value`);
    return value;
  });
}

type EnvList = Array<{ name: string; value?: string }>;
const ENTRY_KEYS = ['ENTRY_RESOLVER', 'ENTRY_GATEWAY', 'ENTRY_NODE_PATTERN', 'ENTRY_NODE_SUFFIX', 'ENTRY_NODE_PORT'] as const;

/** The entry's values a deployment file sets; one it does not set fails here, naming the file. */
function entryVariables(file: string, values: Record<string, string | undefined>): EntryVariables {
  const missing = ENTRY_KEYS.filter((key) => values[key] === undefined);
  if (missing.length > 0) throw new Error(`${file} sets no ${missing.join(', ')} for the entry`);
  return Object.fromEntries(ENTRY_KEYS.map((key) => [key, values[key]])) as unknown as EntryVariables;
}

/** The entry's ENTRY_* values in docker/compose.yml (literals there: no interpolation to apply). */
export function composeEntryValues(): EntryVariables {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker/compose.yml'), 'utf8')) as { services: { nginx: { environment: Record<string, string> } } };
  return entryVariables('docker/compose.yml', compose.services.nginx.environment);
}

/** The entry's ENTRY_* values in deploy/k8s/entry.yaml, `$(POD_NAMESPACE)` as the base's namespace would fill it. */
export function k8sEntryValues(namespace = 'parley'): EntryVariables {
  const docs = parseAllDocuments(fs.readFileSync(path.join(REPO_ROOT, 'deploy/k8s/entry.yaml'), 'utf8')).map(
    (d) => d.toJS() as { kind: string; spec?: { template?: { spec: { containers: Array<{ env?: EnvList }> } } } },
  );
  const env = docs.find((d) => d.kind === 'Deployment')?.spec?.template?.spec.containers[0]?.env ?? [];
  const values = env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value.split('$(POD_NAMESPACE)').join(namespace)] as const]));
  return entryVariables('deploy/k8s/entry.yaml', Object.fromEntries(values));
}

/** A whole nginx.conf around one server block, every path inside `prefix`. */
export function mainConfig(prefix: string): string {
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(prefix, 'nginx.pid')};`,
    `error_log ${path.join(prefix, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${path.join(prefix, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${path.join(prefix, `${kind}_temp`)};`),
    `  include ${path.join(prefix, 'parley.conf')};`,
    '}',
    '',
  ].join('\n');
}

/** Writes nginx.conf + parley.conf into `prefix` and returns the main file. */
export function writeNginxConfig(prefix: string, serverConf: string): string {
  // Workers run as nobody when the tests run as root: they must read the folder.
  fs.chmodSync(prefix, 0o755);
  fs.writeFileSync(path.join(prefix, 'parley.conf'), serverConf);
  const main = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(main, mainConfig(prefix));
  return main;
}

/** `nginx -t`: the real parser's verdict on the configuration. */
export function nginxTest(nginx: string, prefix: string, mainConf: string): string {
  return run(nginx, ['-t', '-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', mainConf]);
}

export interface RunningNginx {
  port: number;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground and resolves once it accepts connections on 127.0.0.1:port. */
export async function startNginx(nginx: string, prefix: string, mainConf: string, port: number): Promise<RunningNginx> {
  const child = spawn(nginx, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', mainConf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`nginx did not listen on ${port} within 10 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
