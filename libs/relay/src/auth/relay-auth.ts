import * as grpc from '@grpc/grpc-js';
import { ClusterSecret } from './cluster-secret';

/** PEM contents of the relay's mutual-TLS material. */
export interface RelayTlsMaterial {
  /** The CA that signs every gateway and node certificate. */
  ca: Buffer;
  /** This process's certificate chain: a node's subject CN is its node id. */
  cert: Buffer;
  key: Buffer;
}

/**
 * How relay streams prove who is on each end. At least one of `tls` and
 * `secret`, or `insecure: true` (development only, must be asked for).
 * With both, the transport is TLS and the secret proof must name the same
 * node as the certificate.
 */
export interface RelayAuthOptions {
  tls?: RelayTlsMaterial;
  /** The shared cluster secret (at least 32 random bytes), proven by HMAC in call metadata. */
  secret?: string;
  /** Plain, unauthenticated relay: anyone who reaches the port is believed. */
  insecure?: boolean;
}

/** The validated form both sides build their credentials from. */
export class RelayAuth {
  readonly tls: RelayTlsMaterial | undefined;
  readonly secret: ClusterSecret | undefined;

  constructor(options: RelayAuthOptions) {
    if (!options.tls && !options.secret && !options.insecure) {
      throw new Error('relay authentication: give a cluster secret or TLS material, or ask for an insecure relay explicitly');
    }
    this.tls = options.tls;
    this.secret = options.secret ? new ClusterSecret(options.secret) : undefined;
  }

  /** True when nothing proves identities: Hello's node_id is believed. */
  get insecure(): boolean {
    return !this.tls && !this.secret;
  }

  serverCredentials(): grpc.ServerCredentials {
    if (!this.tls) return grpc.ServerCredentials.createInsecure();
    // Client certificates are required: a node without one never completes the TLS handshake.
    return grpc.ServerCredentials.createSsl(this.tls.ca, [{ cert_chain: this.tls.cert, private_key: this.tls.key }], true);
  }

  channelCredentials(): grpc.ChannelCredentials {
    if (!this.tls) return grpc.credentials.createInsecure();
    return grpc.credentials.createSsl(this.tls.ca, this.tls.key, this.tls.cert);
  }
}
