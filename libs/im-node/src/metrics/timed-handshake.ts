import { HANDSHAKE_UNAUTHORIZED } from '@parley/protocol';
import { NotAcceptingError } from '../socket/handshake-auth';
import type { ImSocket } from '../socket/socket-types';
import { secondsSince, type HandshakeOutcome } from './node-metrics';

type Next = (err?: Error) => void;
type Middleware = (socket: ImSocket, next: Next) => void;

/**
 * The handshake's middlewares run in order as one, timed from the first to
 * the handshake accepted or refused: `record` gets the outcome (ok,
 * unauthorized, not_accepting, or error for anything else) and the seconds.
 */
export function timedHandshake(steps: readonly Middleware[], record: (outcome: HandshakeOutcome, seconds: number) => void): Middleware {
  return (socket, next) => {
    const startedAt = performance.now();
    let i = 0;
    const step = (err?: Error): void => {
      if (err) {
        record(outcomeOf(err), secondsSince(startedAt));
        next(err);
        return;
      }
      const middleware = steps[i++];
      if (!middleware) {
        record('ok', secondsSince(startedAt));
        next();
        return;
      }
      middleware(socket, step);
    };
    step();
  };
}

function outcomeOf(err: Error): HandshakeOutcome {
  if (err instanceof NotAcceptingError) return 'not_accepting';
  return err.message === HANDSHAKE_UNAUTHORIZED ? 'unauthorized' : 'error';
}
