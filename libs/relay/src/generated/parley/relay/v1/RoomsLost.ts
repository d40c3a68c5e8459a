// Original file: proto/relay.proto


export interface RoomsLost {
  'rooms'?: (string)[];
}

export interface RoomsLost__Output {
  'rooms': (string)[];
}
