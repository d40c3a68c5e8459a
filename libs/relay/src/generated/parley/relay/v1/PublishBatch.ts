// Original file: proto/relay.proto

import type { Publish as _parley_relay_v1_Publish, Publish__Output as _parley_relay_v1_Publish__Output } from '../../../parley/relay/v1/Publish';

export interface PublishBatch {
  'publishes'?: (_parley_relay_v1_Publish)[];
}

export interface PublishBatch__Output {
  'publishes': (_parley_relay_v1_Publish__Output)[];
}
