import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdminCommand as _parley_relay_v1_AdminCommand, AdminCommand__Output as _parley_relay_v1_AdminCommand__Output } from './parley/relay/v1/AdminCommand';
import type { BarrierConfirmed as _parley_relay_v1_BarrierConfirmed, BarrierConfirmed__Output as _parley_relay_v1_BarrierConfirmed__Output } from './parley/relay/v1/BarrierConfirmed';
import type { BarrierDone as _parley_relay_v1_BarrierDone, BarrierDone__Output as _parley_relay_v1_BarrierDone__Output } from './parley/relay/v1/BarrierDone';
import type { BarrierRouted as _parley_relay_v1_BarrierRouted, BarrierRouted__Output as _parley_relay_v1_BarrierRouted__Output } from './parley/relay/v1/BarrierRouted';
import type { Deliver as _parley_relay_v1_Deliver, Deliver__Output as _parley_relay_v1_Deliver__Output } from './parley/relay/v1/Deliver';
import type { DeliverBatch as _parley_relay_v1_DeliverBatch, DeliverBatch__Output as _parley_relay_v1_DeliverBatch__Output } from './parley/relay/v1/DeliverBatch';
import type { GatewayFrame as _parley_relay_v1_GatewayFrame, GatewayFrame__Output as _parley_relay_v1_GatewayFrame__Output } from './parley/relay/v1/GatewayFrame';
import type { Hello as _parley_relay_v1_Hello, Hello__Output as _parley_relay_v1_Hello__Output } from './parley/relay/v1/Hello';
import type { InterestApplied as _parley_relay_v1_InterestApplied, InterestApplied__Output as _parley_relay_v1_InterestApplied__Output } from './parley/relay/v1/InterestApplied';
import type { InterestDelta as _parley_relay_v1_InterestDelta, InterestDelta__Output as _parley_relay_v1_InterestDelta__Output } from './parley/relay/v1/InterestDelta';
import type { NodeFrame as _parley_relay_v1_NodeFrame, NodeFrame__Output as _parley_relay_v1_NodeFrame__Output } from './parley/relay/v1/NodeFrame';
import type { NodeStats as _parley_relay_v1_NodeStats, NodeStats__Output as _parley_relay_v1_NodeStats__Output } from './parley/relay/v1/NodeStats';
import type { PeerUp as _parley_relay_v1_PeerUp, PeerUp__Output as _parley_relay_v1_PeerUp__Output } from './parley/relay/v1/PeerUp';
import type { Publish as _parley_relay_v1_Publish, Publish__Output as _parley_relay_v1_Publish__Output } from './parley/relay/v1/Publish';
import type { PublishAck as _parley_relay_v1_PublishAck, PublishAck__Output as _parley_relay_v1_PublishAck__Output } from './parley/relay/v1/PublishAck';
import type { PublishBatch as _parley_relay_v1_PublishBatch, PublishBatch__Output as _parley_relay_v1_PublishBatch__Output } from './parley/relay/v1/PublishBatch';
import type { RelayClient as _parley_relay_v1_RelayClient, RelayDefinition as _parley_relay_v1_RelayDefinition } from './parley/relay/v1/Relay';
import type { RoomsLost as _parley_relay_v1_RoomsLost, RoomsLost__Output as _parley_relay_v1_RoomsLost__Output } from './parley/relay/v1/RoomsLost';
import type { Welcome as _parley_relay_v1_Welcome, Welcome__Output as _parley_relay_v1_Welcome__Output } from './parley/relay/v1/Welcome';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  parley: {
    relay: {
      v1: {
        AdminCommand: MessageTypeDefinition<_parley_relay_v1_AdminCommand, _parley_relay_v1_AdminCommand__Output>
        BarrierConfirmed: MessageTypeDefinition<_parley_relay_v1_BarrierConfirmed, _parley_relay_v1_BarrierConfirmed__Output>
        BarrierDone: MessageTypeDefinition<_parley_relay_v1_BarrierDone, _parley_relay_v1_BarrierDone__Output>
        BarrierRouted: MessageTypeDefinition<_parley_relay_v1_BarrierRouted, _parley_relay_v1_BarrierRouted__Output>
        Deliver: MessageTypeDefinition<_parley_relay_v1_Deliver, _parley_relay_v1_Deliver__Output>
        DeliverBatch: MessageTypeDefinition<_parley_relay_v1_DeliverBatch, _parley_relay_v1_DeliverBatch__Output>
        GatewayFrame: MessageTypeDefinition<_parley_relay_v1_GatewayFrame, _parley_relay_v1_GatewayFrame__Output>
        Hello: MessageTypeDefinition<_parley_relay_v1_Hello, _parley_relay_v1_Hello__Output>
        InterestApplied: MessageTypeDefinition<_parley_relay_v1_InterestApplied, _parley_relay_v1_InterestApplied__Output>
        InterestDelta: MessageTypeDefinition<_parley_relay_v1_InterestDelta, _parley_relay_v1_InterestDelta__Output>
        NodeFrame: MessageTypeDefinition<_parley_relay_v1_NodeFrame, _parley_relay_v1_NodeFrame__Output>
        NodeStats: MessageTypeDefinition<_parley_relay_v1_NodeStats, _parley_relay_v1_NodeStats__Output>
        PeerUp: MessageTypeDefinition<_parley_relay_v1_PeerUp, _parley_relay_v1_PeerUp__Output>
        Publish: MessageTypeDefinition<_parley_relay_v1_Publish, _parley_relay_v1_Publish__Output>
        PublishAck: MessageTypeDefinition<_parley_relay_v1_PublishAck, _parley_relay_v1_PublishAck__Output>
        PublishBatch: MessageTypeDefinition<_parley_relay_v1_PublishBatch, _parley_relay_v1_PublishBatch__Output>
        Relay: SubtypeConstructor<typeof grpc.Client, _parley_relay_v1_RelayClient> & { service: _parley_relay_v1_RelayDefinition }
        RoomsLost: MessageTypeDefinition<_parley_relay_v1_RoomsLost, _parley_relay_v1_RoomsLost__Output>
        Welcome: MessageTypeDefinition<_parley_relay_v1_Welcome, _parley_relay_v1_Welcome__Output>
      }
    }
  }
}

