// Original file: proto/relay.proto


export interface BarrierConfirmed {
  'barrier'?: (number);
  'nodeId'?: (string);
}

export interface BarrierConfirmed__Output {
  'barrier': (number);
  'nodeId': (string);
}
