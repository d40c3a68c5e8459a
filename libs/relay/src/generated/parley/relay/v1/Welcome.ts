// Original file: proto/relay.proto


export interface Welcome {
  'gatewayId'?: (string);
  'proof'?: (string);
  'batches'?: (boolean);
}

export interface Welcome__Output {
  'gatewayId': (string);
  'proof': (string);
  'batches': (boolean);
}
