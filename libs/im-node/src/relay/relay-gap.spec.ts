import { EventEmitter } from 'node:events';
import type { RelayLink } from './relay-link';
import { watchRelayGaps } from './relay-gap';

function setup() {
  const relay = new EventEmitter() as EventEmitter & RelayLink;
  const notices: string[] = [];
  watchRelayGaps(relay, { all: () => void notices.push('all') });
  return { relay, notices };
}

describe('watchRelayGaps', () => {
  it('asks local sessions to resync when the first gateway is back after none was reachable', () => {
    const { relay, notices } = setup();
    relay.emit('gateway:ready', 'a:1', 'a');
    relay.emit('gateway:ready', 'b:1', 'b');
    expect(notices).toEqual([]); // first connections: nothing was missed
    relay.emit('gateway:down', 'a:1');
    relay.emit('gateway:ready', 'a:1', 'a');
    expect(notices).toEqual([]); // b stayed up: publishes went through it
    relay.emit('gateway:down', 'a:1');
    relay.emit('gateway:down', 'b:1');
    relay.emit('gateway:ready', 'b:1', 'b');
    relay.emit('gateway:ready', 'a:1', 'a');
    expect(notices).toEqual(['all']);
  });
});
