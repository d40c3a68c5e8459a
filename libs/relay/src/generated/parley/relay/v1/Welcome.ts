// Original file: proto/relay.proto


export interface Welcome {
  'gatewayId'?: (string);
  'proof'?: (string);
}

export interface Welcome__Output {
  'gatewayId': (string);
  'proof': (string);
}
