// Original file: proto/relay.proto


export interface PublishAck {
  'seq'?: (number);
}

export interface PublishAck__Output {
  'seq': (number);
}
