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
  it('asks every local session to sync whenever a ready gateway stream goes down or one becomes ready', () => {
    const { relay, notices } = setup();
    relay.emit('gateway:down', 'a:1');
    expect(notices).toEqual(['all']); // its acknowledged frames may never have left it
    relay.emit('gateway:ready', 'a:1', 'a');
    expect(notices).toEqual(['all', 'all']); // others may have routed through it before this node was back
  });
});
