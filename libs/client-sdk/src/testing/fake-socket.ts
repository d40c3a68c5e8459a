type Handler = (...args: unknown[]) => void;
export type CommandHandler = (payload: Record<string, unknown>) => unknown;

/** A stand-in for one Socket.IO connection to a node, scripted by the test. */
export class FakeSocket {
  readonly handlers = new Map<string, Handler[]>();
  readonly emitted: { event: string; payload: Record<string, unknown> }[] = [];
  connected = false;

  constructor(
    readonly url: string,
    /** The Socket.IO path the client asked for. */
    readonly path: string | undefined,
    private readonly commands: Map<string, CommandHandler>,
    /** The handshake's token; a node refuses it when `refused` says so. */
    readonly token = '',
    refused = false,
  ) {
    setTimeout(() => {
      if (refused) {
        this.fire('connect_error', new Error('UNAUTHORIZED'));
        return;
      }
      this.connected = true;
      this.fire('connect');
    });
  }

  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }

  once(event: string, handler: Handler): this {
    const wrapped: Handler = (...args) => {
      this.off(event, wrapped);
      handler(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, handler: Handler): this {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => h !== handler));
    return this;
  }

  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }

  emit(event: string, payload: Record<string, unknown>, ack?: (answer: unknown) => void): this {
    this.emitted.push({ event, payload });
    const handler = this.commands.get(event);
    if (handler && ack) {
      const answer = handler(payload);
      if (answer !== undefined) setTimeout(() => ack(answer));
    }
    return this;
  }

  disconnect(): this {
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  /** The server side: push an event or drop the connection. */
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
}
