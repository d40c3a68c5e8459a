// Original file: proto/relay.proto

import type { Welcome as _parley_relay_v1_Welcome, Welcome__Output as _parley_relay_v1_Welcome__Output } from '../../../parley/relay/v1/Welcome';
import type { Deliver as _parley_relay_v1_Deliver, Deliver__Output as _parley_relay_v1_Deliver__Output } from '../../../parley/relay/v1/Deliver';
import type { InterestApplied as _parley_relay_v1_InterestApplied, InterestApplied__Output as _parley_relay_v1_InterestApplied__Output } from '../../../parley/relay/v1/InterestApplied';
import type { BarrierRouted as _parley_relay_v1_BarrierRouted, BarrierRouted__Output as _parley_relay_v1_BarrierRouted__Output } from '../../../parley/relay/v1/BarrierRouted';
import type { BarrierConfirmed as _parley_relay_v1_BarrierConfirmed, BarrierConfirmed__Output as _parley_relay_v1_BarrierConfirmed__Output } from '../../../parley/relay/v1/BarrierConfirmed';
import type { PublishAck as _parley_relay_v1_PublishAck, PublishAck__Output as _parley_relay_v1_PublishAck__Output } from '../../../parley/relay/v1/PublishAck';
import type { RoomsLost as _parley_relay_v1_RoomsLost, RoomsLost__Output as _parley_relay_v1_RoomsLost__Output } from '../../../parley/relay/v1/RoomsLost';
import type { PeerUp as _parley_relay_v1_PeerUp, PeerUp__Output as _parley_relay_v1_PeerUp__Output } from '../../../parley/relay/v1/PeerUp';
import type { AdminCommand as _parley_relay_v1_AdminCommand, AdminCommand__Output as _parley_relay_v1_AdminCommand__Output } from '../../../parley/relay/v1/AdminCommand';
import type { DeliverBatch as _parley_relay_v1_DeliverBatch, DeliverBatch__Output as _parley_relay_v1_DeliverBatch__Output } from '../../../parley/relay/v1/DeliverBatch';

export interface GatewayFrame {
  'welcome'?: (_parley_relay_v1_Welcome | null);
  'deliver'?: (_parley_relay_v1_Deliver | null);
  'applied'?: (_parley_relay_v1_InterestApplied | null);
  'routed'?: (_parley_relay_v1_BarrierRouted | null);
  'confirmed'?: (_parley_relay_v1_BarrierConfirmed | null);
  'published'?: (_parley_relay_v1_PublishAck | null);
  'lost'?: (_parley_relay_v1_RoomsLost | null);
  'peerUp'?: (_parley_relay_v1_PeerUp | null);
  'admin'?: (_parley_relay_v1_AdminCommand | null);
  'delivers'?: (_parley_relay_v1_DeliverBatch | null);
  'frame'?: "welcome"|"deliver"|"applied"|"routed"|"confirmed"|"published"|"lost"|"peerUp"|"admin"|"delivers";
}

export interface GatewayFrame__Output {
  'welcome'?: (_parley_relay_v1_Welcome__Output | null);
  'deliver'?: (_parley_relay_v1_Deliver__Output | null);
  'applied'?: (_parley_relay_v1_InterestApplied__Output | null);
  'routed'?: (_parley_relay_v1_BarrierRouted__Output | null);
  'confirmed'?: (_parley_relay_v1_BarrierConfirmed__Output | null);
  'published'?: (_parley_relay_v1_PublishAck__Output | null);
  'lost'?: (_parley_relay_v1_RoomsLost__Output | null);
  'peerUp'?: (_parley_relay_v1_PeerUp__Output | null);
  'admin'?: (_parley_relay_v1_AdminCommand__Output | null);
  'delivers'?: (_parley_relay_v1_DeliverBatch__Output | null);
  'frame'?: "welcome"|"deliver"|"applied"|"routed"|"confirmed"|"published"|"lost"|"peerUp"|"admin"|"delivers";
}
