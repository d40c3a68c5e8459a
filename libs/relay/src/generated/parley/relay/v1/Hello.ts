// Original file: proto/relay.proto


export interface Hello {
  'nodeId'?: (string);
  'rooms'?: (string)[];
  'batches'?: (boolean);
}

export interface Hello__Output {
  'nodeId': (string);
  'rooms': (string)[];
  'batches': (boolean);
}
