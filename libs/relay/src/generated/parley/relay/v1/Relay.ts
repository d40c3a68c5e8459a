// Original file: proto/relay.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GatewayFrame as _parley_relay_v1_GatewayFrame, GatewayFrame__Output as _parley_relay_v1_GatewayFrame__Output } from '../../../parley/relay/v1/GatewayFrame';
import type { NodeFrame as _parley_relay_v1_NodeFrame, NodeFrame__Output as _parley_relay_v1_NodeFrame__Output } from '../../../parley/relay/v1/NodeFrame';

export interface RelayClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_parley_relay_v1_NodeFrame, _parley_relay_v1_GatewayFrame__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_parley_relay_v1_NodeFrame, _parley_relay_v1_GatewayFrame__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_parley_relay_v1_NodeFrame, _parley_relay_v1_GatewayFrame__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_parley_relay_v1_NodeFrame, _parley_relay_v1_GatewayFrame__Output>;
  
}

export interface RelayHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_parley_relay_v1_NodeFrame__Output, _parley_relay_v1_GatewayFrame>;
  
}

export interface RelayDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_parley_relay_v1_NodeFrame, _parley_relay_v1_GatewayFrame, _parley_relay_v1_NodeFrame__Output, _parley_relay_v1_GatewayFrame__Output>
}
