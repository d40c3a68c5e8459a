import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadRelayProto, RelayAuth, streamCredential, type GatewayFrame, type NodeFrame } from '@parley/relay';
import type { Cluster } from '@parley/testing';

/** A relay stream opened by hand with @grpc/grpc-js, the way an attacker with the public .proto would. */
export class RawRelayStream {
  readonly frames: GatewayFrame[] = [];
  readonly status: Promise<grpc.StatusObject>;
  private readonly call: grpc.ClientDuplexStream<NodeFrame, GatewayFrame>;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly stub: grpc.Client & { Connect(metadata: grpc.Metadata): grpc.ClientDuplexStream<NodeFrame, GatewayFrame> },
    metadata: grpc.Metadata,
  ) {
    this.call = stub.Connect(metadata);
    this.call.on('data', (frame: GatewayFrame) => {
      this.frames.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.call.on('error', () => undefined);
    this.status = new Promise((resolve) => this.call.on('status', resolve));
  }

  send(...frames: NodeFrame[]): void {
    for (const frame of frames) this.call.write(frame);
  }

  /** Resolves with the Welcome, or null if the stream ended without one. */
  async welcome(): Promise<GatewayFrame['welcome'] | null> {
    const ended = this.status.then(() => null);
    for (;;) {
      const found = this.frames.find((f) => f.welcome);
      if (found) return found.welcome;
      const next = new Promise<void>((resolve) => this.waiters.push(resolve));
      if ((await Promise.race([next.then(() => 'frame' as const), ended])) === null) return null;
    }
  }

  close(): void {
    this.call.cancel();
    this.stub.close();
  }
}

export type RelayCredentials = 'none' | { nodeId: string };

/** Opens a raw stream to the cluster's first gateway with no credentials, or with valid ones for `nodeId`. */
export function openRawRelay(cluster: Cluster, credentials: RelayCredentials): RawRelayStream {
  const proto = loadRelayProto();
  let channel = grpc.credentials.createInsecure();
  let metadata = new grpc.Metadata();
  if (cluster.pki) {
    const ca = fs.readFileSync(cluster.pki.caCert);
    if (credentials === 'none') channel = grpc.credentials.createSsl(ca);
    else {
      const files = cluster.pki.node(credentials.nodeId);
      channel = grpc.credentials.createSsl(ca, fs.readFileSync(files.key), fs.readFileSync(files.cert));
    }
  } else if (credentials !== 'none' && cluster.clusterSecret) {
    metadata = streamCredential(new RelayAuth({ secret: cluster.clusterSecret }), credentials.nodeId, cluster.relayAddress).metadata;
  }
  const stub = new proto.parley.relay.v1.Relay(cluster.relayAddress, channel);
  return new RawRelayStream(stub, metadata);
}

export const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
