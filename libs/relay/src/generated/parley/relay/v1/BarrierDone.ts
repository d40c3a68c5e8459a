// Original file: proto/relay.proto


export interface BarrierDone {
  'originNode'?: (string);
  'barrier'?: (number);
}

export interface BarrierDone__Output {
  'originNode': (string);
  'barrier': (number);
}
