import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { NODE_AUDIENCE_HEADER, NODE_ID_HEADER, NODE_PROOF_HEADER } from './cluster-secret';
import { RelayAudiences } from './relay-audience';
import { RelayAuth } from './relay-auth';
import { StreamAuthenticator, streamCredential } from './stream-identity';

type IncomingCall = Parameters<StreamAuthenticator['authenticate']>[0];

const secret = crypto.randomBytes(32).toString('base64url');
const auth = new RelayAuth({ secret });
const GATEWAY = '10.9.0.11:50051';
const NODE_PEER = '10.9.0.12:40000';

/** An incoming call as the authenticator sees it: metadata and the TCP peer. */
function call(metadata: grpc.Metadata, peer = NODE_PEER): IncomingCall {
  return { metadata, getAuthContext: () => ({}), getPeer: () => peer } as unknown as IncomingCall;
}

function gateway(): StreamAuthenticator {
  const authenticator = new StreamAuthenticator(auth);
  authenticator.listenAt(new RelayAudiences({ port: 50051, bindHost: '0.0.0.0', advertiseHost: '10.9.0.11' }));
  return authenticator;
}

const reasonOf = (check: ReturnType<StreamAuthenticator['authenticate']>): string => (check.ok ? 'ok' : check.reason);

describe('stream identity with a cluster secret (proof v2, bound to the relay address dialed)', () => {
  it('lets a node in with a proof made for this gateway, and its Welcome proof checks out for that address only', () => {
    const credential = streamCredential(auth, 'im-1', GATEWAY);
    const check = gateway().authenticate(call(credential.metadata));
    if (!check.ok) throw new Error(check.reason);
    expect(check.identity.nodeId).toBe('im-1');
    const welcome = check.identity.welcomeProof('gw-1');
    expect(credential.verifyWelcome('gw-1', welcome)).toBe(true);
    expect(credential.verifyWelcome('gw-2', welcome)).toBe(false);
    // The same answer does not prove a stream the node opened to another address.
    expect(streamCredential(auth, 'im-1', '10.9.0.66:50051').verifyWelcome('gw-1', welcome)).toBe(false);
  });

  it('normalizes the address dialed, so the spelling in discovery does not matter', () => {
    const check = new StreamAuthenticator(auth);
    check.listenAt(new RelayAudiences({ port: 50051, bindHost: '0.0.0.0', advertiseHost: 'gw-1.parley.internal' }));
    expect(reasonOf(check.authenticate(call(streamCredential(auth, 'im-1', 'GW-1.Parley.Internal:50051').metadata)))).toBe('ok');
  });

  it('refuses a proof made for another relay address: a fake gateway cannot replay it here', () => {
    const forFake = streamCredential(auth, 'im-1', '10.9.0.66:50051');
    expect(reasonOf(gateway().authenticate(call(forFake.metadata)))).toMatch(/made for relay address 10\.9\.0\.66:50051, not one of this gateway's/);
  });

  it('refuses an audience rewritten to this gateway (the MAC covers it), or left out', () => {
    const rewritten = streamCredential(auth, 'im-1', '10.9.0.66:50051').metadata;
    rewritten.set(NODE_AUDIENCE_HEADER, GATEWAY);
    expect(reasonOf(gateway().authenticate(call(rewritten)))).toBe('bad proof');
    const missing = streamCredential(auth, 'im-1', GATEWAY).metadata;
    missing.remove(NODE_AUDIENCE_HEADER);
    expect(reasonOf(gateway().authenticate(call(missing)))).toMatch(/no relay address/);
    const unspelled = streamCredential(auth, 'im-1', GATEWAY).metadata;
    unspelled.set(NODE_AUDIENCE_HEADER, '10.9.0.011:50051');
    expect(reasonOf(gateway().authenticate(call(unspelled)))).toMatch(/no relay address/);
  });

  it('refuses a v1 proof even with a valid MAC (no downgrade to proofs that name no address)', () => {
    // A v1 proof as the previous release made it: HMAC over version, node id, time and nonce.
    const key = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'parley-relay', 'node-proof', 32));
    const ts = String(Date.now());
    const nonce = crypto.randomBytes(16).toString('base64url');
    const mac = crypto.createHmac('sha256', key).update(['v1', 'im-1', ts, nonce].join('\n')).digest('base64url');
    const metadata = new grpc.Metadata();
    metadata.set(NODE_ID_HEADER, 'im-1');
    metadata.set(NODE_PROOF_HEADER, `v1.${ts}.${nonce}.${mac}`);
    expect(reasonOf(gateway().authenticate(call(metadata)))).toMatch(/version "v1" not accepted/);
    metadata.set(NODE_AUDIENCE_HEADER, GATEWAY);
    expect(reasonOf(gateway().authenticate(call(metadata)))).toMatch(/version "v1" not accepted/);
  });

  it('refuses a loopback proof that arrives from another host', () => {
    const authenticator = new StreamAuthenticator(auth);
    authenticator.listenAt(new RelayAudiences({ port: 50051, bindHost: '127.0.0.1' }));
    expect(reasonOf(authenticator.authenticate(call(streamCredential(auth, 'im-1', '127.0.0.1:50051').metadata, '127.0.0.1:40000')))).toBe('ok');
    expect(reasonOf(authenticator.authenticate(call(streamCredential(auth, 'im-1', '127.0.0.1:50051').metadata, NODE_PEER)))).toMatch(/made for relay address/);
  });

  it('refuses every proof until it knows its own addresses', () => {
    expect(reasonOf(new StreamAuthenticator(auth).authenticate(call(streamCredential(auth, 'im-1', GATEWAY).metadata)))).toMatch(/made for relay address/);
  });

  it('remembers only verified proofs: a thousand refused ones leave nothing behind', () => {
    const authenticator = gateway();
    for (let i = 0; i < 1_000; i++) {
      const refused = authenticator.authenticate(call(streamCredential(auth, `im-${i % 7}`, `10.9.0.66:${1 + i}`).metadata));
      expect(refused.ok).toBe(false);
    }
    expect(authenticator.rememberedProofs()).toBe(0);
    const honest = streamCredential(auth, 'im-1', GATEWAY);
    expect(reasonOf(authenticator.authenticate(call(honest.metadata)))).toBe('ok');
    expect(authenticator.rememberedProofs()).toBe(1);
    expect(reasonOf(authenticator.authenticate(call(honest.metadata)))).toBe('proof replayed');
  });
});
