import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/relay';

/** proto/relay.proto at the repo root, found the same way from tsx, jest and the bundled apps' source. */
export const DEFAULT_PROTO_PATH = path.resolve(__dirname, '../../../proto/relay.proto');

/** Must match the flags given to proto-loader-gen-types, or the generated types lie. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

// Parsed definitions are immutable; parse each file once per process.
const loaded = new Map<string, ProtoGrpcType>();

export function loadRelayProto(protoPath: string = DEFAULT_PROTO_PATH): ProtoGrpcType {
  let proto = loaded.get(protoPath);
  if (!proto) {
    const definition = protoLoader.loadSync(protoPath, LOADER_OPTIONS);
    proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    loaded.set(protoPath, proto);
  }
  return proto;
}

/** HTTP/2 keepalive pings so a silently dead peer is noticed within time + timeout. */
export function keepaliveOptions(timeMs: number, timeoutMs: number): grpc.ChannelOptions {
  return {
    'grpc.keepalive_time_ms': timeMs,
    'grpc.keepalive_timeout_ms': timeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
