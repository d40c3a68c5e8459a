import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { acceptedBy } from './app-config';
import { drainBudgetSec, durationSec } from './drain-budget';
import { describeWithTool, findTool, REPO_ROOT, run } from './tools';

type Service = {
  image?: string;
  command?: string[] | string;
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: unknown[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  restart?: string;
  stop_grace_period?: string;
};

// docker-compose is a Python program: about a second per run, several on a loaded machine.
jest.setTimeout(60_000);

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker/compose.yml');
const SECRETS = {
  PARLEY_JWT_SECRET: crypto.randomBytes(48).toString('base64'),
  PARLEY_CLUSTER_SECRET: crypto.randomBytes(48).toString('base64'),
  MYSQL_PASSWORD: crypto.randomBytes(24).toString('hex'),
  GRAFANA_ADMIN_PASSWORD: crypto.randomBytes(24).toString('base64'),
};

/**
 * docker/compose.yml as Debian's docker-compose resolves it (`config`): no
 * Docker engine is needed for that, and every interpolation, anchor and
 * `:?` required variable is applied as `up` would.
 */
describeWithTool('docker-compose', true)('docker/compose.yml', () => {
  const compose = findTool('docker-compose') as string;
  let dir: string;
  let resolved: Record<string, Service>;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-compose-'));
    // docker-compose takes about a second per run: resolve the full file once.
    resolved = (parse(config(SECRETS)) as { services: Record<string, Service> }).services;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `docker-compose config` with only this env file: neither docker/.env nor this shell's variables leak in. */
  function config(vars: Record<string, string>): string {
    const envFile = path.join(dir, `env-${crypto.randomUUID()}`);
    fs.writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
    return run(compose, ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], { env: { PATH: process.env.PATH ?? '' } });
  }

  const services = () => resolved;

  function service(name: string): Service {
    const found = services()[name];
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  it.each(Object.keys(SECRETS))('refuses to resolve without %s, naming it (no default secret)', (name) => {
    const missing: Record<string, string> = { ...SECRETS };
    delete missing[name];
    expect(() => config(missing)).toThrow(new RegExp(`set ${name} in docker/.env`));
  });

  it('puts the secrets only where the env file says, never a value of its own', () => {
    const all = services();
    const gateway = service('gateway');
    expect(gateway.environment).toMatchObject({ PARLEY_JWT_SECRET: SECRETS.PARLEY_JWT_SECRET, PARLEY_CLUSTER_SECRET: SECRETS.PARLEY_CLUSTER_SECRET });
    expect(gateway.environment?.PARLEY_MYSQL_URL).toBe(`mysql://parley:${SECRETS.MYSQL_PASSWORD}@mysql:3306/parley`);
    expect(all.mysql?.environment?.MARIADB_PASSWORD).toBe(SECRETS.MYSQL_PASSWORD);
    expect(all.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toBe(SECRETS.GRAFANA_ADMIN_PASSWORD);
    expect(fs.readFileSync(COMPOSE_FILE, 'utf8')).not.toMatch(/(SECRET|PASSWORD):\s*["']?[A-Za-z0-9+/=]{8,}/);
  });

  it('publishes one host port to the network, the public entry; Grafana and Prometheus on loopback only', () => {
    const published = Object.entries(services()).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published.map(([name]) => name).sort()).toEqual(['grafana', 'nginx', 'prometheus']);
    expect(service('nginx').ports).toEqual([{ published: 8080, target: 80 }]);
    // docker-compose 1.29 writes a port with a host address as "host:published:target/proto".
    expect(service('grafana').ports).toEqual(['127.0.0.1:3000:3000/tcp']);
    expect(service('prometheus').ports).toEqual(['127.0.0.1:9090:9090/tcp']);
  });

  it('starts each process once what it needs is healthy, and restarts it when it dies', () => {
    const all = services();
    expect(all.mysql?.healthcheck?.test).toEqual(expect.arrayContaining(['healthcheck.sh']));
    expect(all.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const app of ['gateway', 'im']) {
      expect({ app, healthcheck: service(app).healthcheck?.test }).toEqual({ app, healthcheck: ['CMD', 'node', 'docker/healthcheck.cjs', '/readyz'] });
      expect(service(app).depends_on).toMatchObject({
        mysql: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        consul: { condition: 'service_started' },
      });
    }
    expect(service('nginx').depends_on).toEqual({ gateway: { condition: 'service_healthy' } });
    for (const [name, s] of Object.entries(all)) expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
    for (const name of ['prometheus', 'grafana']) expect({ name, healthcheck: service(name).healthcheck?.test?.slice(0, 2) }).toEqual({ name, healthcheck: ['CMD', 'wget'] });
    expect(service('grafana').depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('runs the compiled bundles of one image, 2 gateways and 3 nodes by default', () => {
    const gateway = service('gateway');
    const im = service('im');
    expect([gateway.image, im.image]).toEqual(['parley:local', 'parley:local']);
    expect([gateway.command, im.command]).toEqual([['gateway'], ['im-service']]);
    expect([gateway.deploy?.replicas, im.deploy?.replicas]).toEqual([2, 3]);
  });

  it('lets nodes scale with no per-node setting: identity from the hostname, gateways and nodes found in Consul', () => {
    const im = service('im');
    const gateway = service('gateway');
    for (const name of ['PARLEY_GATEWAYS', 'PARLEY_NODE_ID', 'PARLEY_PUBLIC_URL', 'PARLEY_ADVERTISE_HOST']) {
      expect({ name, value: im.environment?.[name] }).toEqual({ name, value: undefined });
    }
    expect(im.environment).toMatchObject({ PARLEY_DISCOVERY: 'consul', PARLEY_HOST: '0.0.0.0', PARLEY_PORT: '9101' });
    expect(gateway.environment).toMatchObject({
      PARLEY_DISCOVERY: 'consul',
      PARLEY_RELAY_HOST: '0.0.0.0',
      PARLEY_PUBLIC_ENTRY: 'http://localhost:8080',
      PARLEY_TRUST_PROXY: '1',
    });
    expect(gateway.environment?.PARLEY_NODE_URL_ALLOW).toBeUndefined();
    expect(gateway.environment?.PARLEY_STORE_WAIT_SEC).toBeDefined();
    const entry = service('nginx').environment;
    expect(entry).toMatchObject({ ENTRY_RESOLVER: '127.0.0.11', ENTRY_GATEWAY: 'gateway:8080', ENTRY_NODE_SUFFIX: '', ENTRY_NODE_PORT: im.environment?.PARLEY_PORT });
  });

  it('lets the entry resolve only node ids of the container-hostname form, never a service\'s name', () => {
    const nodeId = new RegExp(`^(?:${service('nginx').environment?.ENTRY_NODE_PATTERN ?? '(?!)'})$`);
    // What docker/entrypoint.sh makes a node's id: the container hostname, Docker's 12-hex short id.
    expect('3f2a1b4c5d6e').toMatch(nodeId);
    for (const name of [...Object.keys(services()), 'localhost', '3f2a1b4c5d6e0', '3F2A1B4C5D6E', '3f2a1b4c5d6e.evil']) {
      expect({ name, routed: nodeId.test(name) }).toEqual({ name, routed: false });
    }
  });

  it('hands each app an environment its config loader accepts (no key it would refuse at start)', () => {
    const identity = { PARLEY_ADVERTISE_HOST: '3f2a1b4c5d6e' };
    expect(() => acceptedBy('gateway', { ...service('gateway').environment, ...identity, PARLEY_GATEWAY_ID: '3f2a1b4c5d6e' })).not.toThrow();
    expect(() => acceptedBy('im', { ...service('im').environment, ...identity, PARLEY_NODE_ID: '3f2a1b4c5d6e' })).not.toThrow();
  });

  describe('Prometheus and Grafana', () => {
    const prometheusConfig = () =>
      parse(fs.readFileSync(path.join(REPO_ROOT, 'docker/prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; type: string; port: number }> }>;
      };
    /** A bind mount's host file (resolved to an absolute path by compose) for a path in the container. */
    function mounted(name: string, target: string): string {
      const volume = (service(name).volumes ?? []).find((v) => v.split(':')[1] === target);
      if (!volume) throw new Error(`${name} mounts nothing at ${target}`);
      return volume.split(':')[0] as string;
    }

    it('run the official images at pinned versions', () => {
      expect(service('prometheus').image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
      expect(service('grafana').image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    });

    it('serve metrics on one port of their own in both apps, never on a published port', () => {
      const port = service('gateway').environment?.PARLEY_METRICS_PORT;
      expect(port).toMatch(/^\d+$/);
      expect(service('im').environment?.PARLEY_METRICS_PORT).toBe(port);
      expect([service('im').environment?.PARLEY_PORT, '8080']).not.toContain(port);
    });

    it('scrape every gateway and IM node by service name in DNS, on the metrics port, so --scale is followed', () => {
      const jobs = prometheusConfig().scrape_configs;
      const port = Number(service('gateway').environment?.PARLEY_METRICS_PORT);
      for (const [job, name] of [['parley-gateway', 'gateway'], ['parley-im', 'im']] as const) {
        const sd = jobs.find((j) => j.job_name === job)?.dns_sd_configs;
        expect({ job, sd }).toEqual({ job, sd: [expect.objectContaining({ names: [name], type: 'A', port })] });
        expect(services()[name]).toBeDefined();
      }
      expect(mounted('prometheus', '/etc/prometheus/prometheus.yml')).toBe(path.join(REPO_ROOT, 'docker/prometheus/prometheus.yml'));
    });

    it('provision Grafana with that Prometheus and the Parley dashboard', () => {
      const provisioning = mounted('grafana', '/etc/grafana/provisioning');
      expect(provisioning).toBe(path.join(REPO_ROOT, 'docker/grafana/provisioning'));
      const datasources = parse(fs.readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ url: string; uid: string }> };
      expect(datasources.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' })]);
      const providers = parse(fs.readFileSync(path.join(provisioning, 'dashboards/parley.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
      const dashboards = providers.providers[0]?.options.path ?? '';
      expect(fs.existsSync(path.join(mounted('grafana', dashboards), 'parley.json'))).toBe(true);
      const env = service('grafana').environment ?? {};
      expect(env).toMatchObject({ GF_USERS_ALLOW_SIGN_UP: 'false', GF_AUTH_ANONYMOUS_ENABLED: 'false' });
      expect(env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboards}/parley.json`);
    });
  });

  it('gives a node longer to stop than its drain takes', () => {
    const im = service('im');
    expect(durationSec(im.stop_grace_period)).toBeGreaterThan(drainBudgetSec(im.environment ?? {}) + 5);
  });
});

describe('the image', () => {
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs the compiled bundles as the node user, with a health check, and never tsx', () => {
    expect(dockerfile).toMatch(/node tools\/build-app\.mjs gateway/);
    expect(dockerfile).toMatch(/node tools\/build-app\.mjs im-service/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(runtime).not.toMatch(/tsx/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*docker\/healthcheck\.cjs/m);
    // The relay reads proto/relay.proto beside dist/ at run time.
    expect(runtime).toMatch(/COPY --from=build \/app\/proto \.\/proto/);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', 'data', '.git', 'docker/.env', '*.log', 'tmp', 'coverage']) expect(ignored).toContain(entry);
  });

  describe('entry script', () => {
    let app: string;
    beforeAll(() => {
      // A stand-in app that prints the identity the script gave it.
      app = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-entry-script-'));
      for (const name of ['gateway', 'im-service']) {
        fs.mkdirSync(path.join(app, 'dist/apps', name), { recursive: true });
        fs.writeFileSync(
          path.join(app, 'dist/apps', name, 'main.js'),
          `const e = process.env; console.log(JSON.stringify({ app: '${name}', args: process.argv.slice(2), node: e.PARLEY_NODE_ID, gateway: e.PARLEY_GATEWAY_ID, advertise: e.PARLEY_ADVERTISE_HOST }));`,
        );
      }
    });
    afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

    const start = (args: string[], env: Record<string, string>) =>
      JSON.parse(run('/bin/sh', [path.join(REPO_ROOT, 'docker/entrypoint.sh'), ...args], { cwd: app, env: { PATH: process.env.PATH ?? '', ...env } })) as unknown;

    it('names an IM node and its advertised host after the container hostname', () => {
      expect(start(['im-service'], { HOSTNAME: '3f2a1b4c5d6e' })).toEqual({ app: 'im-service', args: [], node: '3f2a1b4c5d6e', advertise: '3f2a1b4c5d6e' });
    });

    it('names a gateway the same way, and keeps what the operator set', () => {
      expect(start(['gateway', '--x'], { HOSTNAME: 'c0ffee', PARLEY_GATEWAY_ID: 'gw-a', PARLEY_ADVERTISE_HOST: '10.0.0.7' })).toEqual({
        app: 'gateway',
        args: ['--x'],
        gateway: 'gw-a',
        advertise: '10.0.0.7',
      });
    });
  });
});
