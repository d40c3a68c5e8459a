// Original file: proto/relay.proto


export interface InterestApplied {
  'ack'?: (number);
}

export interface InterestApplied__Output {
  'ack': (number);
}
