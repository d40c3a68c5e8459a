import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM file paths of one certificate. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** A throwaway CA in a temp dir that signs relay certificates (the `openssl` CLI, nothing downloaded). */
export interface TestPki {
  dir: string;
  caCert: string;
  /** The gateway's server certificate, valid for 127.0.0.1 and localhost (and `extraHosts`). */
  gateway: CertFiles;
  /** A node's client certificate: subject CN = node id. */
  node(nodeId: string): CertFiles;
  remove(): void;
}

export interface TestPkiOptions {
  /** More IP addresses the gateway certificate is valid for (network-namespace hosts). */
  extraIps?: string[];
}

const openssl = (cwd: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

/** Makes an EC key and a certificate signed by the CA, with the given subject and extensions. */
function issue(dir: string, name: string, subject: string, extensions: string): CertFiles {
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, extensions);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext]);
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

export function createTestPki(options: TestPkiOptions = {}): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pki-'));
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=parley-test-ca']);
  const ips = ['127.0.0.1', ...(options.extraIps ?? [])].map((ip) => `IP:${ip}`).join(',');
  const gateway = issue(dir, 'gateway', '/CN=parley-gateway', `subjectAltName=${ips},DNS:localhost\nextendedKeyUsage=serverAuth\n`);
  const nodes = new Map<string, CertFiles>();
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    gateway,
    node(nodeId) {
      let files = nodes.get(nodeId);
      if (!files) {
        files = issue(dir, `node-${nodeId}`, `/CN=${nodeId}`, 'extendedKeyUsage=clientAuth\n');
        nodes.set(nodeId, files);
      }
      return files;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
