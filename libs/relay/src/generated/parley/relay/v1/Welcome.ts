// Original file: proto/relay.proto


export interface Welcome {
  'gatewayId'?: (string);
}

export interface Welcome__Output {
  'gatewayId': (string);
}
