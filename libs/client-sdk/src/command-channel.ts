import type { Socket } from 'socket.io-client';
import {
  ParleyError,
  type Ack,
  type ClientToServerEvents,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type ErrorBody,
  type ServerToClientEvents,
} from '@parley/protocol';

/** A Socket.IO connection to an IM node, typed by the protocol. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type RawEmit = (event: string, payload: unknown, ack: (answer: Ack<Record<string, unknown>>) => void) => void;

/**
 * The commands sent over one socket: each waits for its ack at most
 * `timeoutMs`, and every one still waiting fails at once with UNAVAILABLE when
 * the socket is given up (`close`), so no caller hangs on a dead node.
 */
export class CommandChannel {
  /** Rejecters of the commands waiting for an ack. */
  private readonly inflight = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly socket: ClientSocket,
    private readonly timeoutMs: number,
  ) {}

  /** True while the socket is open and the channel has not been closed. */
  get open(): boolean {
    return !this.closed && this.socket.connected;
  }

  /** Sends one command; resolves with its result, rejects with the ParleyError the node answered. */
  async request<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    const ack = await this.emitWithAck(name, payload);
    if (!ack.ok) throw fromErrorBody(ack.error);
    const { ok: _ok, ...result } = ack;
    return result as unknown as CommandResults[K];
  }

  /** Sends a command whose answer nobody waits for (best effort, e.g. delivery acks). */
  notify<K extends CommandName>(name: K, payload: CommandInput<K>): void {
    if (this.open) (this.socket.emit as RawEmit)(name, payload, () => undefined);
  }

  /** Fails every command still waiting; later requests fail at once. */
  close(): void {
    this.closed = true;
    for (const fail of [...this.inflight]) fail();
  }

  private emitWithAck(name: CommandName, payload: unknown): Promise<Ack<Record<string, unknown>>> {
    if (this.closed) return Promise.reject(new ParleyError('UNAVAILABLE', `${name}: disconnected`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inflight.delete(fail);
        reject(new ParleyError('UNAVAILABLE', `${name}: no answer in time`));
      }, this.timeoutMs);
      const fail = () => {
        clearTimeout(timer);
        this.inflight.delete(fail);
        reject(new ParleyError('UNAVAILABLE', `${name}: disconnected`));
      };
      this.inflight.add(fail);
      (this.socket.emit as RawEmit)(name, payload, (ack) => {
        clearTimeout(timer);
        this.inflight.delete(fail);
        resolve(ack);
      });
    });
  }
}

/** The error a node answered, as a ParleyError with the same code (one this client may not know, from a newer node). */
export function fromErrorBody(error: ErrorBody): ParleyError {
  return new ParleyError(error.code, error.message, { retryAfterMs: error.retryAfterMs });
}
