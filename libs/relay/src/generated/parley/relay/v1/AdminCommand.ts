// Original file: proto/relay.proto


export interface AdminCommand {
  'id'?: (string);
  'kind'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
}

export interface AdminCommand__Output {
  'id': (string);
  'kind': (string);
  'payload': (Buffer);
}
