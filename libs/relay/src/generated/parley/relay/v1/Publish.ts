// Original file: proto/relay.proto


export interface Publish {
  'rooms'?: (string)[];
  'event'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
  'messageId'?: (string);
  'grantRoom'?: (string);
  'barrier'?: (number);
  'seq'?: (number);
  'toNode'?: (string);
  'traceId'?: (string);
  'traceFlags'?: (number);
  'spanId'?: (string);
  'allNodes'?: (boolean);
}

export interface Publish__Output {
  'rooms': (string)[];
  'event': (string);
  'payload': (Buffer);
  'messageId': (string);
  'grantRoom': (string);
  'barrier': (number);
  'seq': (number);
  'toNode': (string);
  'traceId': (string);
  'traceFlags': (number);
  'spanId': (string);
  'allNodes': (boolean);
}
