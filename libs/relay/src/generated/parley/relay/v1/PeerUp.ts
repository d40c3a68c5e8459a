// Original file: proto/relay.proto


export interface PeerUp {
  'nodeId'?: (string);
}

export interface PeerUp__Output {
  'nodeId': (string);
}
