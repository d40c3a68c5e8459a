import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { acceptedBy, OPERATOR_SECRETS } from './app-config';
import { drainBudgetSec } from './drain-budget';
import { describeWithTool, findTool, REPO_ROOT, run } from './tools';

type Probe = { httpGet?: { path?: string; port?: string | number } };
type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } };
type Container = {
  name: string;
  image?: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number; volumes?: Array<{ name: string; configMap?: { name: string } }> };
type Resource = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    serviceName?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector?: { matchLabels?: Record<string, string> } & Record<string, unknown>;
    maxUnavailable?: number;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    rules?: Array<{ http?: { paths?: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }> } }>;
  };
};

/** deploy/k8s rendered by kubectl's built-in kustomize, as `kubectl apply -k` would send it. */
describeWithTool('kubectl', false)('the Kubernetes base (deploy/k8s)', () => {
  let resources: Resource[];

  beforeAll(() => {
    const rendered = run(findTool('kubectl') as string, ['kustomize', path.join(REPO_ROOT, 'deploy/k8s')]);
    resources = parseAllDocuments(rendered).map((doc) => doc.toJS() as Resource);
  });

  function find(kind: string, name: string): Resource {
    const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in the rendered base`);
    return found;
  }
  function container(resource: Resource): Container {
    const first = resource.spec?.template?.spec.containers[0];
    if (!first) throw new Error(`${resource.kind} ${resource.metadata.name} has no container`);
    return first;
  }
  const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
  const configMapData = (name: string) => resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === name)?.data ?? {};
  /** What the app sees from its ConfigMaps (envFrom) and its own env values. */
  function appEnv(c: Container): Record<string, string> {
    const fromMaps = (c.envFrom ?? []).flatMap((e) => (e.configMapRef ? Object.entries(configMapData(e.configMapRef.name)) : []));
    const own = (c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value] as const]));
    return Object.fromEntries([...fromMaps, ...own]);
  }

  it('puts everything in one namespace and commits no Secret', () => {
    expect(resources.filter((r) => r.kind !== 'Namespace').every((r) => r.metadata.namespace === 'parley')).toBe(true);
    expect(resources.filter((r) => r.kind === 'Secret')).toEqual([]);
    for (const name of ['parley-gateway', 'parley-im']) {
      const kind = name === 'parley-im' ? 'StatefulSet' : 'Deployment';
      expect(container(find(kind, name)).envFrom).toContainEqual({ secretRef: { name: 'parley-secrets' } });
    }
  });

  it('runs gateways as a Deployment of 2 with liveness on /livez, readiness on /readyz, advertised on the pod IP', () => {
    const gateway = find('Deployment', 'parley-gateway');
    expect(gateway.spec?.replicas).toBe(2);
    const c = container(gateway);
    expect(c.args).toEqual(['gateway']);
    expect(c.livenessProbe?.httpGet?.path).toBe('/livez');
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(envOf(c, 'PARLEY_ADVERTISE_HOST')?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(appEnv(c)).toMatchObject({ PARLEY_DISCOVERY: 'consul', PARLEY_RELAY_HOST: '0.0.0.0', PARLEY_HOST: '0.0.0.0' });
    expect(appEnv(c).PARLEY_PUBLIC_ENTRY).toMatch(/^https?:\/\//);
    expect(appEnv(c).PARLEY_CONSUL_ADDR).toBeTruthy();
  });

  it('runs IM nodes as a StatefulSet of 3 behind a headless Service, named by pod and advertised by its stable DNS name', () => {
    const im = find('StatefulSet', 'parley-im');
    const headless = find('Service', 'parley-im');
    expect(im.spec?.replicas).toBe(3);
    expect(im.spec?.serviceName).toBe('parley-im');
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.publishNotReadyAddresses).toBe(true);
    expect(headless.spec?.selector).toEqual(im.spec?.template?.metadata?.labels);
    const c = container(im);
    expect(c.args).toEqual(['im-service']);
    expect(envOf(c, 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(envOf(c, 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(envOf(c, 'PARLEY_NODE_ID')?.value).toBe('$(POD_NAME)');
    expect(envOf(c, 'PARLEY_ADVERTISE_HOST')?.value).toBe('$(POD_NAME).parley-im.$(POD_NAMESPACE).svc.cluster.local');
    const env = appEnv(c);
    expect(env).toMatchObject({ PARLEY_DISCOVERY: 'consul', PARLEY_HOST: '0.0.0.0', PARLEY_PORT: '9101' });
    // Gateways are found in Consul; an IM node refuses gateway-only keys.
    for (const absent of ['PARLEY_GATEWAYS', 'PARLEY_PUBLIC_URL', 'PARLEY_PUBLIC_ENTRY', 'PARLEY_RELAY_HOST', 'PARLEY_TRUST_PROXY']) {
      expect({ absent, value: env[absent] }).toEqual({ absent, value: undefined });
    }
    expect(c.livenessProbe?.httpGet?.path).toBe('/livez');
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
  });

  it('hands each app an environment its config loader accepts (no key it would refuse at start)', () => {
    // What the kubelet would fill in: the Secret's keys, field references, $(VAR) expansions.
    const pod = { ...OPERATOR_SECRETS, PARLEY_MYSQL_URL: 'mysql://parley:x@mariadb:3306/parley', PARLEY_GATEWAY_ID: 'parley-gateway-abc', PARLEY_ADVERTISE_HOST: '10.1.2.3' };
    const expand = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replace('$(POD_NAME)', 'parley-im-0').replace('$(POD_NAMESPACE)', 'parley').replace('$(HOST_IP)', '10.0.0.5')]),
      );
    expect(() => acceptedBy('gateway', expand({ ...appEnv(container(find('Deployment', 'parley-gateway'))), ...pod }))).not.toThrow();
    const { PARLEY_GATEWAY_ID: _gatewayOnly, ...imPod } = pod;
    expect(() => acceptedBy('im', expand({ ...appEnv(container(find('StatefulSet', 'parley-im'))), ...imPod, PARLEY_ADVERTISE_HOST: '$(POD_NAME).parley-im.$(POD_NAMESPACE).svc.cluster.local' }))).not.toThrow();
  });

  it('drains a node on the way out, within a grace period longer than the drain', () => {
    const im = find('StatefulSet', 'parley-im');
    const c = container(im);
    expect(c.lifecycle?.preStop?.exec?.command?.join(' ')).toMatch(/kill -TERM 1;.*while kill -0 1/);
    expect(im.spec?.template?.spec.terminationGracePeriodSeconds).toBeGreaterThan(drainBudgetSec(appEnv(c)) + 5);
  });

  it('limits voluntary disruptions to one pod at a time', () => {
    for (const [name, kind] of [['parley-im', 'StatefulSet'], ['parley-gateway', 'Deployment'], ['parley-entry', 'Deployment']] as const) {
      const pdb = find('PodDisruptionBudget', name);
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec?.maxUnavailable).toBe(1);
      expect(pdb.spec?.selector?.matchLabels).toEqual(find(kind, name).spec?.template?.metadata?.labels);
    }
  });

  it('routes the public host to the entry nginx, which resolves nodes through the headless Service', () => {
    const ingress = find('Ingress', 'parley');
    const paths = ingress.spec?.rules?.flatMap((rule) => rule.http?.paths ?? []) ?? [];
    expect(paths).toEqual([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'parley-entry', port: { name: 'http' } } } }]);
    const entryService = find('Service', 'parley-entry');
    expect(entryService.spec?.selector).toEqual(find('Deployment', 'parley-entry').spec?.template?.metadata?.labels);

    const entry = find('Deployment', 'parley-entry');
    const nginx = container(entry);
    expect(appEnv(nginx)).toMatchObject({
      NGINX_ENVSUBST_FILTER: '^ENTRY_',
      ENTRY_RESOLVER: 'kube-dns.kube-system.svc.cluster.local',
      ENTRY_GATEWAY: 'parley-gateway.$(POD_NAMESPACE).svc.cluster.local:8080',
      ENTRY_NODE_PATTERN: 'parley-im-[0-9]{1,4}',
      ENTRY_NODE_SUFFIX: '.parley-im.$(POD_NAMESPACE).svc.cluster.local',
      ENTRY_NODE_PORT: '9101',
    });
    // The template it mounts is the generated ConfigMap holding the same file compose uses.
    const volume = entry.spec?.template?.spec.volumes?.find((v) => v.name === 'template');
    const template = find('ConfigMap', volume?.configMap?.name ?? '');
    expect(template.data?.['parley.conf.template']).toBe(fs.readFileSync(path.join(REPO_ROOT, 'docker/nginx/parley.conf.template'), 'utf8'));
    expect(nginx.volumeMounts).toContainEqual(expect.objectContaining({ name: 'template', mountPath: '/etc/nginx/templates/default.conf.template' }));
  });

  it('lets the entry resolve only the StatefulSet\'s pod names, through its headless Service', () => {
    const im = find('StatefulSet', 'parley-im');
    const env = appEnv(container(find('Deployment', 'parley-entry')));
    const nodeId = new RegExp(`^(?:${env.ENTRY_NODE_PATTERN ?? '(?!)'})$`);
    const replicas = im.spec?.replicas ?? 0;
    // Every pod the StatefulSet makes, scaled well past its default, is routed.
    for (const ordinal of [0, replicas - 1, replicas + 50, 999]) expect(`${im.metadata.name}-${ordinal}`).toMatch(nodeId);
    // No other name in the namespace or beside it: Services, Deployments, Consul, the database.
    const others = [...new Set(resources.map((r) => r.metadata.name)), 'consul-server', 'mariadb', 'redis', 'kubernetes', `${im.metadata.name}-0.evil`];
    for (const name of others) expect({ name, routed: nodeId.test(name) }).toEqual({ name, routed: false });
    expect(env.ENTRY_NODE_SUFFIX).toBe(`.${im.spec?.serviceName ?? ''}.$(POD_NAMESPACE).svc.cluster.local`);
  });

  it('tells an annotation-following Prometheus where each gateway and IM pod serves /metrics, on a port no Service exposes', () => {
    for (const [kind, name] of [['Deployment', 'parley-gateway'], ['StatefulSet', 'parley-im']] as const) {
      const resource = find(kind, name);
      const c = container(resource);
      const port = appEnv(c).PARLEY_METRICS_PORT;
      expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^\d+$/) });
      expect({ name, annotations: resource.spec?.template?.metadata?.annotations }).toEqual({
        name,
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': port, 'prometheus.io/path': '/metrics' },
      });
      expect(c.ports).toContainEqual({ name: 'metrics', containerPort: Number(port) });
    }
    const servicePorts = resources.filter((r) => r.kind === 'Service').flatMap((r) => ((r.spec as { ports?: Array<{ port: number; targetPort?: unknown }> }).ports ?? []));
    const metricsPort = Number(appEnv(container(find('Deployment', 'parley-gateway'))).PARLEY_METRICS_PORT);
    expect(servicePorts.length).toBeGreaterThan(0);
    for (const p of servicePorts) expect({ port: p.port, targetsMetrics: [metricsPort, 'metrics'].includes(p.targetPort as never) || p.port === metricsPort }).toEqual({ port: p.port, targetsMetrics: false });
  });

    it('names Consul as an external dependency, reached through the agent on each pod\'s own cluster node', () => {
    const config = fs.readFileSync(path.join(REPO_ROOT, 'deploy/k8s/config.yaml'), 'utf8');
    expect(config).toMatch(/External dependencies/);
    // /v1/agent/* calls are per agent: a Service over several servers would register on one and deregister on another.
    for (const [kind, name] of [['Deployment', 'parley-gateway'], ['StatefulSet', 'parley-im']] as const) {
      const env = container(find(kind, name)).env ?? [];
      const hostIp = env.findIndex((e) => e.name === 'HOST_IP');
      const consulAddr = env.findIndex((e) => e.name === 'PARLEY_CONSUL_ADDR');
      expect({ name, hostIp: env[hostIp]?.valueFrom?.fieldRef?.fieldPath, consulAddr: env[consulAddr]?.value }).toEqual({ name, hostIp: 'status.hostIP', consulAddr: '$(HOST_IP):8500' });
      // The kubelet expands $(HOST_IP) only from a variable listed before it.
      expect({ name, hostIpFirst: hostIp < consulAddr }).toEqual({ name, hostIpFirst: true });
    }
    for (const map of resources.filter((r) => r.kind === 'ConfigMap')) {
      expect({ configMap: map.metadata.name, consulAddr: map.data?.PARLEY_CONSUL_ADDR }).toEqual({ configMap: map.metadata.name, consulAddr: undefined });
    }
  });
});
