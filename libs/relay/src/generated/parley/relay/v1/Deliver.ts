// Original file: proto/relay.proto


export interface Deliver {
  'rooms'?: (string)[];
  'event'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
  'messageId'?: (string);
  'originNode'?: (string);
  'barrier'?: (number);
  'fromGateway'?: (boolean);
  'traceId'?: (string);
  'traceFlags'?: (number);
  'spanId'?: (string);
  'allNodes'?: (boolean);
}

export interface Deliver__Output {
  'rooms': (string)[];
  'event': (string);
  'payload': (Buffer);
  'messageId': (string);
  'originNode': (string);
  'barrier': (number);
  'fromGateway': (boolean);
  'traceId': (string);
  'traceFlags': (number);
  'spanId': (string);
  'allNodes': (boolean);
}
