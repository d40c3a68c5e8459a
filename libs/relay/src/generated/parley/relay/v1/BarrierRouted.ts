// Original file: proto/relay.proto


export interface BarrierRouted {
  'barrier'?: (number);
  'nodes'?: (string)[];
}

export interface BarrierRouted__Output {
  'barrier': (number);
  'nodes': (string)[];
}
