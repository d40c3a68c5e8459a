// Original file: proto/relay.proto

import type { Deliver as _parley_relay_v1_Deliver, Deliver__Output as _parley_relay_v1_Deliver__Output } from '../../../parley/relay/v1/Deliver';

export interface DeliverBatch {
  'delivers'?: (_parley_relay_v1_Deliver)[];
}

export interface DeliverBatch__Output {
  'delivers': (_parley_relay_v1_Deliver__Output)[];
}
