import * as grpc from '@grpc/grpc-js';
import { NODE_ID_HEADER, NODE_PROOF_HEADER, ReplayGuard } from './cluster-secret';
import type { RelayAuth } from './relay-auth';

/** Who opened a relay stream, as its credentials prove it. */
export interface StreamIdentity {
  /** The proven node id; undefined on an insecure relay (Hello is believed). */
  nodeId: string | undefined;
  /** Makes Welcome's proof for this stream ('' when there is no secret). */
  welcomeProof(gatewayId: string): string;
}

/** What authentication reads off an incoming call. */
type IncomingCall = Pick<grpc.ServerDuplexStream<unknown, unknown>, 'metadata' | 'getAuthContext'>;

export type IdentityCheck = { ok: true; identity: StreamIdentity } | { ok: false; reason: string };

/** The gateway side: proves each incoming stream's node from its certificate and/or its secret proof. */
export class StreamAuthenticator {
  private readonly replays = new ReplayGuard();

  constructor(
    private readonly auth: RelayAuth,
    private readonly now: () => number = Date.now,
  ) {}

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
    const check = secret.verifyNodeProof(claimed, metadataValue(metadata, NODE_PROOF_HEADER), this.now());
    if (!check.ok) return check;
    if (nodeId !== undefined && nodeId !== check.nodeId) return { ok: false, reason: 'secret proof names another node than the certificate' };
    if (!this.replays.admit(check.nonce, this.now())) return { ok: false, reason: 'proof replayed' };
    const proven = check.nodeId;
    return {
      ok: true,
      identity: { nodeId: proven, welcomeProof: (gatewayId) => secret.gatewayProof(gatewayId, proven, check.nonce) },
    };
  }
}

/** What a node needs to open one stream and check the gateway's answer. */
export interface StreamCredential {
  metadata: grpc.Metadata;
  /** True when Welcome proves the gateway holds the cluster secret too (always true without one). */
  verifyWelcome(gatewayId: string, proof: string): boolean;
}

/** The node side: a fresh proof (time, nonce) for every stream it opens. */
export function streamCredential(auth: RelayAuth, nodeId: string, now: number = Date.now()): StreamCredential {
  const metadata = new grpc.Metadata();
  const secret = auth.secret;
  if (!secret) return { metadata, verifyWelcome: () => true };
  const proof = secret.nodeProof(nodeId, now);
  metadata.set(NODE_ID_HEADER, nodeId);
  metadata.set(NODE_PROOF_HEADER, proof.token);
  return { metadata, verifyWelcome: (gatewayId, welcome) => secret.verifyGatewayProof(welcome, gatewayId, nodeId, proof.nonce) };
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}
