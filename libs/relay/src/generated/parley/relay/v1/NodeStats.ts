// Original file: proto/relay.proto


export interface NodeStats {
  'sockets'?: (number);
  'users'?: (number);
  'messagesAccepted'?: (number | string);
  'deliveries'?: (number | string);
  'relayFramesIn'?: (number | string);
  'relayFramesOut'?: (number | string);
  'outboxDepth'?: (number);
  'ready'?: (boolean);
  'draining'?: (boolean);
  'gateways'?: (string)[];
  'startedAt'?: (number | string);
  'at'?: (number | string);
  'url'?: (string);
}

export interface NodeStats__Output {
  'sockets': (number);
  'users': (number);
  'messagesAccepted': (number);
  'deliveries': (number);
  'relayFramesIn': (number);
  'relayFramesOut': (number);
  'outboxDepth': (number);
  'ready': (boolean);
  'draining': (boolean);
  'gateways': (string)[];
  'startedAt': (number);
  'at': (number);
  'url': (string);
}
