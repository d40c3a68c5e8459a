import type { GatewayFrame } from '../generated/parley/relay/v1/GatewayFrame';
import type { NodeStream } from '../node-session';

/**
 * The part of a node's gRPC stream NodeSession writes to, for unit specs:
 * records every frame; flushes each write on the next turn, or, `stuck`,
 * holds the flushes until `release` (a node that stopped reading).
 */
export class FakeNodeStream {
  readonly frames: GatewayFrame[] = [];
  writableEnded = false;
  cancelled = false;
  writableNeedDrain = false;
  private readonly held: (() => void)[] = [];

  constructor(private readonly stuck = false) {}

  write(frame: GatewayFrame, flushed: () => void): boolean {
    this.frames.push(frame);
    if (this.stuck) this.held.push(flushed);
    else setImmediate(flushed);
    return true;
  }

  release(): void {
    for (const flushed of this.held.splice(0)) flushed();
  }

  /** As NodeSession takes it (only the members above are used). */
  asStream(): NodeStream {
    return this as unknown as NodeStream;
  }
}
