import * as grpc from '@grpc/grpc-js';
import { NODE_AUDIENCE_HEADER, NODE_ID_HEADER, NODE_PROOF_HEADER, ReplayGuard } from './cluster-secret';
import type { RelayAuth } from './relay-auth';
import { normalizeAudience, type RelayAudiences } from './relay-audience';

/** Who opened a relay stream, as its credentials prove it. */
export interface StreamIdentity {
  /** The proven node id; undefined on an insecure relay (Hello is believed). */
  nodeId: string | undefined;
  /** Makes Welcome's proof for this stream ('' when there is no secret). */
  welcomeProof(gatewayId: string): string;
}

/** What authentication reads off an incoming call. */
type IncomingCall = Pick<grpc.ServerDuplexStream<unknown, unknown>, 'metadata' | 'getAuthContext' | 'getPeer'>;

export type IdentityCheck = { ok: true; identity: StreamIdentity } | { ok: false; reason: string };

/** The gateway side: proves each incoming stream's node from its certificate and/or its secret proof. */
export class StreamAuthenticator {
  private readonly replays = new ReplayGuard();
  private audiences: RelayAudiences | undefined;

  constructor(
    private readonly auth: RelayAuth,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The relay addresses this listener answers to, known once it is bound
   * (the port may be chosen then). Until set, every secret proof is refused.
   */
  listenAt(audiences: RelayAudiences): void {
    this.audiences = audiences;
  }

  /** Nonces of verified proofs remembered against replay (refused attempts add none). */
  rememberedProofs(): number {
    return this.replays.size;
  }

  authenticate(call: IncomingCall): IdentityCheck {
    let nodeId: string | undefined;
    if (this.auth.tls) {
      // The TLS handshake already required a certificate signed by the cluster CA.
      const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
      if (typeof cn !== 'string' || cn.length === 0) return { ok: false, reason: 'client certificate has no subject CN' };
      nodeId = cn;
    }
    const secret = this.auth.secret;
    if (!secret) return { ok: true, identity: { nodeId, welcomeProof: () => '' } };

    const metadata = call.metadata;
    const claimed = metadataValue(metadata, NODE_ID_HEADER);
    const check = secret.verifyNodeProof(claimed, metadataValue(metadata, NODE_AUDIENCE_HEADER), metadataValue(metadata, NODE_PROOF_HEADER), this.now());
    if (!check.ok) return check;
    // After the MAC, so the audience named here is one a node really dialed: a fake
    // gateway in discovery, passing the stream through or replaying the proof.
    if (!this.audiences?.accepts(check.audience, call.getPeer())) {
      return { ok: false, reason: `proof made for relay address ${check.audience}, not one of this gateway's (see PARLEY_RELAY_AUDIENCES)` };
    }
    if (nodeId !== undefined && nodeId !== check.nodeId) return { ok: false, reason: 'secret proof names another node than the certificate' };
    // Last: only proofs that passed every other check are remembered.
    if (!this.replays.admit(check.nonce, this.now())) return { ok: false, reason: 'proof replayed' };
    const proven = check.nodeId;
    const audience = check.audience;
    return {
      ok: true,
      identity: { nodeId: proven, welcomeProof: (gatewayId) => secret.gatewayProof(gatewayId, proven, audience, check.nonce) },
    };
  }
}

/** What a node needs to open one stream and check the gateway's answer. */
export interface StreamCredential {
  metadata: grpc.Metadata;
  /** True when Welcome proves the gateway holds the cluster secret too (always true without one). */
  verifyWelcome(gatewayId: string, proof: string): boolean;
}

/**
 * The node side: a fresh proof (time, nonce) for every stream it opens, made
 * for `address`, the relay address being dialed (`host:port`, as discovery
 * or PARLEY_GATEWAYS gave it). An address that is not `host:port` is sent
 * as it is: the gateway refuses it and logs why, and the node retries.
 */
export function streamCredential(auth: RelayAuth, nodeId: string, address: string, now: number = Date.now()): StreamCredential {
  const metadata = new grpc.Metadata();
  const secret = auth.secret;
  if (!secret) return { metadata, verifyWelcome: () => true };
  const audience = normalizeAudience(address) ?? address;
  const proof = secret.nodeProof(nodeId, audience, now);
  metadata.set(NODE_ID_HEADER, nodeId);
  metadata.set(NODE_AUDIENCE_HEADER, audience);
  metadata.set(NODE_PROOF_HEADER, proof.token);
  return { metadata, verifyWelcome: (gatewayId, welcome) => secret.verifyGatewayProof(welcome, gatewayId, nodeId, audience, proof.nonce) };
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}
