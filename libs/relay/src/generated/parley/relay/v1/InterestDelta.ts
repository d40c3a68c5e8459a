// Original file: proto/relay.proto


export interface InterestDelta {
  'add'?: (string)[];
  'remove'?: (string)[];
  'ack'?: (number);
}

export interface InterestDelta__Output {
  'add': (string)[];
  'remove': (string)[];
  'ack': (number);
}
