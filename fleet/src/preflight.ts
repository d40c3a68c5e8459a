import { netnsUnavailableReason } from '@parley/testing';
import { entryUnavailableReason } from './entry';

/** Why the fleet's hosts cannot be made on this machine, or undefined when they can. */
export function fleetUnavailableReason(): string | undefined {
  return netnsUnavailableReason() ?? entryUnavailableReason();
}
