// Original file: proto/relay.proto

import type { Hello as _parley_relay_v1_Hello, Hello__Output as _parley_relay_v1_Hello__Output } from '../../../parley/relay/v1/Hello';
import type { InterestDelta as _parley_relay_v1_InterestDelta, InterestDelta__Output as _parley_relay_v1_InterestDelta__Output } from '../../../parley/relay/v1/InterestDelta';
import type { Publish as _parley_relay_v1_Publish, Publish__Output as _parley_relay_v1_Publish__Output } from '../../../parley/relay/v1/Publish';
import type { BarrierDone as _parley_relay_v1_BarrierDone, BarrierDone__Output as _parley_relay_v1_BarrierDone__Output } from '../../../parley/relay/v1/BarrierDone';
import type { NodeStats as _parley_relay_v1_NodeStats, NodeStats__Output as _parley_relay_v1_NodeStats__Output } from '../../../parley/relay/v1/NodeStats';
import type { PublishBatch as _parley_relay_v1_PublishBatch, PublishBatch__Output as _parley_relay_v1_PublishBatch__Output } from '../../../parley/relay/v1/PublishBatch';

export interface NodeFrame {
  'hello'?: (_parley_relay_v1_Hello | null);
  'delta'?: (_parley_relay_v1_InterestDelta | null);
  'publish'?: (_parley_relay_v1_Publish | null);
  'barrierDone'?: (_parley_relay_v1_BarrierDone | null);
  'stats'?: (_parley_relay_v1_NodeStats | null);
  'publishes'?: (_parley_relay_v1_PublishBatch | null);
  'frame'?: "hello"|"delta"|"publish"|"barrierDone"|"stats"|"publishes";
}

export interface NodeFrame__Output {
  'hello'?: (_parley_relay_v1_Hello__Output | null);
  'delta'?: (_parley_relay_v1_InterestDelta__Output | null);
  'publish'?: (_parley_relay_v1_Publish__Output | null);
  'barrierDone'?: (_parley_relay_v1_BarrierDone__Output | null);
  'stats'?: (_parley_relay_v1_NodeStats__Output | null);
  'publishes'?: (_parley_relay_v1_PublishBatch__Output | null);
  'frame'?: "hello"|"delta"|"publish"|"barrierDone"|"stats"|"publishes";
}
