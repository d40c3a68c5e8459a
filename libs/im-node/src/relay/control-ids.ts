import crypto from 'node:crypto';

/**
 * Message ids of relay frames that carry no message of their own (typing,
 * receipts, presence, room changes, relay:lost). Receivers drop a frame
 * whose (origin, event, id) they have applied before, so an id must never
 * come back: a counter alone would restart at 1 when the node restarts
 * under the same node id, and its first frames would be dropped as repeats.
 * Hence a random part per process.
 */
export class ControlIds {
  private counter = 0;
  private readonly prefix: string;

  constructor(nodeId: string, boot: string = crypto.randomBytes(6).toString('base64url')) {
    this.prefix = `${nodeId}:${boot}:`;
  }

  next(): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return this.prefix + this.counter.toString(36);
  }
}
