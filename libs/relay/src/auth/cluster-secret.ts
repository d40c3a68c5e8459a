import crypto from 'node:crypto';
import { normalizeAudience } from './relay-audience';

/** Call metadata keys of the cluster-secret proof (grpc metadata keys are lower case). */
export const NODE_ID_HEADER = 'x-parley-node-id';
export const NODE_PROOF_HEADER = 'x-parley-node-proof';
/**
 * The relay address the node dialed (`host:port`, normalized), which its
 * proof is made for. Sent in metadata rather than read off the call's
 * :authority: both would defeat a fake gateway (a byte-for-byte pass-through
 * delivers the :authority the node dialed, the fake's own address, and a
 * proxy that rewrites either breaks the MAC), but :authority is the
 * transport's to set: grpc-js spells it its own way, `grpc.default_authority`
 * and TLS name overrides change it, and a legitimate L7 load balancer may
 * rewrite it. The MAC covers this value whichever way it travels, so sending
 * it costs a few bytes and keeps the check independent of the transport.
 */
export const NODE_AUDIENCE_HEADER = 'x-parley-relay-audience';

/** How far a node's clock may be from the gateway's. */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * v2 binds the node's proof (and the gateway's answer) to the relay address
 * the node dialed. v1 proofs named no address and are refused: accepting
 * them would let anyone holding one choose the gateway it opens a stream at.
 */
const VERSION = 'v2';
const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface NodeProof {
  nodeId: string;
  /** The relay address the proof is for (normalized `host:port`): sent as NODE_AUDIENCE_HEADER. */
  audience: string;
  /** `v2.<ts>.<nonce>.<mac>`: sent as NODE_PROOF_HEADER. */
  token: string;
  nonce: string;
}

export type ProofCheck = { ok: true; nodeId: string; audience: string; nonce: string } | { ok: false; reason: string };

/**
 * The shared cluster secret and the two proofs made from it: a node's, sent
 * in call metadata (HMAC over node id, the relay address it dialed, time and
 * a nonce), and a gateway's, sent in Welcome (HMAC over gateway id, node id,
 * that address and the node's nonce, so it answers this stream only). Each proof has its own key derived with HKDF,
 * so neither can stand in for the other, nor for a JWT signed with another
 * secret.
 */
export class ClusterSecret {
  private readonly nodeKey: Buffer;
  private readonly gatewayKey: Buffer;

  constructor(secret: string) {
    const ikm = Buffer.from(secret, 'utf8');
    this.nodeKey = Buffer.from(crypto.hkdfSync('sha256', ikm, 'parley-relay', 'node-proof', 32));
    this.gatewayKey = Buffer.from(crypto.hkdfSync('sha256', ikm, 'parley-relay', 'gateway-proof', 32));
  }

  /** `audience`: the relay address being dialed, normalized (see normalizeAudience). */
  nodeProof(nodeId: string, audience: string, now: number): NodeProof {
    const nonce = crypto.randomBytes(16).toString('base64url');
    const ts = String(now);
    return { nodeId, audience, nonce, token: `${VERSION}.${ts}.${nonce}.${this.mac(this.nodeKey, VERSION, nodeId, audience, ts, nonce)}` };
  }

  /**
   * Checks a node's proof. The caller also refuses an audience that is not
   * one of its own relay addresses (see RelayAudiences) and a nonce it has
   * seen (see ReplayGuard).
   */
  verifyNodeProof(nodeId: string | undefined, audience: string | undefined, token: string | undefined, now: number): ProofCheck {
    if (!nodeId || !token) return { ok: false, reason: 'no credentials' };
    if (!NODE_ID_PATTERN.test(nodeId)) return { ok: false, reason: 'malformed node id' };
    // Exactly four parts: `extra` is there only when the token has more.
    const [version, ts, nonce, mac, extra] = token.split('.');
    if (ts === undefined || nonce === undefined || mac === undefined || extra !== undefined) return { ok: false, reason: 'malformed proof' };
    if (version !== VERSION) return { ok: false, reason: `proof version ${JSON.stringify(version?.slice(0, 8))} not accepted (${VERSION} only)` };
    if (!audience || normalizeAudience(audience) !== audience) return { ok: false, reason: 'no relay address (audience) in the proof' };
    const at = Number(ts);
    if (!Number.isSafeInteger(at) || Math.abs(now - at) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'proof expired' };
    if (!equal(mac, this.mac(this.nodeKey, VERSION, nodeId, audience, ts, nonce))) return { ok: false, reason: 'bad proof' };
    return { ok: true, nodeId, audience, nonce };
  }

  gatewayProof(gatewayId: string, nodeId: string, audience: string, nonce: string): string {
    return this.mac(this.gatewayKey, VERSION, gatewayId, nodeId, audience, nonce);
  }

  verifyGatewayProof(proof: string, gatewayId: string, nodeId: string, audience: string, nonce: string): boolean {
    return equal(proof, this.gatewayProof(gatewayId, nodeId, audience, nonce));
  }

  private mac(key: Buffer, ...parts: string[]): string {
    return crypto.createHmac('sha256', key).update(parts.join('\n')).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Refuses a node proof seen before within its validity window, so a proof
 * read off the wire cannot open a second stream. Only verified proofs are
 * remembered, so its size is bounded by real reconnects, not by attackers.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Nonces remembered now. */
  get size(): number {
    return this.seen.size;
  }

  /** False when the nonce was already used. */
  admit(nonce: string, now: number): boolean {
    for (const [key, expires] of this.seen) {
      if (expires > now) break; // insertion order is expiry order
      this.seen.delete(key);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + 2 * MAX_CLOCK_SKEW_MS);
    return true;
  }
}
