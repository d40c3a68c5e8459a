import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseEnvConfig } from './env-config';
import { relayAudiencesEnv, relayAuthEnv, relayAuthOf } from './relay-env';

const schema = z.object(relayAuthEnv.shape);
const load = (env: Record<string, string>) => relayAuthOf(parseEnvConfig(schema, env));

describe('relay authentication settings', () => {
  it('takes a strong cluster secret', () => {
    const secret = crypto.randomBytes(32).toString('base64');
    expect(load({ PARLEY_CLUSTER_SECRET: secret })).toEqual({ secret, tls: undefined, insecure: false });
  });

  it.each([
    ['missing', {}],
    ['short', { PARLEY_CLUSTER_SECRET: crypto.randomBytes(8).toString('hex') }],
    ['a placeholder', { PARLEY_CLUSTER_SECRET: 'change-me-change-me-change-me-change-me' }],
    ['low in entropy', { PARLEY_CLUSTER_SECRET: 'a'.repeat(48) }],
  ])('refuses a %s secret, naming the variable', (_case, env: Record<string, string>) => {
    expect(() => load(env)).toThrow(/PARLEY_CLUSTER_SECRET/);
  });

  it('allows no authentication only when PARLEY_RELAY_INSECURE=true is said', () => {
    expect(load({ PARLEY_RELAY_INSECURE: 'true' })).toMatchObject({ insecure: true, secret: undefined, tls: undefined });
    expect(() => load({ PARLEY_RELAY_INSECURE: 'yes' })).toThrow(/PARLEY_RELAY_INSECURE/);
  });

  it('reads all three TLS files, and names the ones missing or unreadable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-env-'));
    try {
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, name), `${name}\n`);
      const files = {
        PARLEY_RELAY_TLS_CA: path.join(dir, 'ca.pem'),
        PARLEY_RELAY_TLS_CERT: path.join(dir, 'cert.pem'),
        PARLEY_RELAY_TLS_KEY: path.join(dir, 'key.pem'),
      };
      expect(load(files).tls?.cert.toString()).toBe('cert.pem\n');
      expect(() => load({ PARLEY_RELAY_TLS_CA: files.PARLEY_RELAY_TLS_CA })).toThrow(/PARLEY_RELAY_TLS_CERT, PARLEY_RELAY_TLS_KEY/);
      expect(() => load({ ...files, PARLEY_RELAY_TLS_KEY: path.join(dir, 'nope.pem') })).toThrow(/PARLEY_RELAY_TLS_KEY: cannot read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('relay audiences setting', () => {
  const audiences = (env: Record<string, string>) => parseEnvConfig(relayAudiencesEnv, env).PARLEY_RELAY_AUDIENCES;

  it('is a comma list of host:port, empty by default', () => {
    expect(audiences({})).toEqual([]);
    expect(audiences({ PARLEY_RELAY_AUDIENCES: ' relay.example.com:443, [fd00::2]:50051 ,10.0.0.5:7000' })).toEqual([
      'relay.example.com:443',
      '[fd00::2]:50051',
      '10.0.0.5:7000',
    ]);
  });

  it('refuses an entry that is not host:port, naming the variable and the entry', () => {
    expect(() => audiences({ PARLEY_RELAY_AUDIENCES: 'relay.example.com' })).toThrow(/PARLEY_RELAY_AUDIENCES: not host:port: relay\.example\.com/);
    expect(() => audiences({ PARLEY_RELAY_AUDIENCES: 'gw:0,gw:1' })).toThrow(/gw:0/);
    expect(() => audiences({ PARLEY_RELAY_AUDIENCES: 'grpc://gw:1' })).toThrow(/PARLEY_RELAY_AUDIENCES/);
  });
});
