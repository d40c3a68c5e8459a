/**
 * Bounds of one PublishBatch or DeliverBatch: far below gRPC's 4 MB message
 * limit even with one largest frame (~600 KB) on top, and few enough frames
 * that a batch never holds a turn's writes back noticeably.
 */
export const RELAY_BATCH_LIMITS = Object.freeze({ frames: 1_000, bytes: 1 << 20 });

/** A Publish's or Deliver's size on the wire, near enough to bound a batch. */
export function approximateFrameSize(frame: { payload?: Buffer | Uint8Array | string | null; rooms?: readonly string[] | null }): number {
  const payload = frame.payload;
  const payloadBytes = typeof payload === 'string' ? payload.length : (payload?.byteLength ?? 0);
  return payloadBytes + (frame.rooms?.length ?? 0) * 48 + 160;
}

/**
 * The frames of one event-loop turn, handed to `send` together at the end of
 * the turn, or at once when they reach RELAY_BATCH_LIMITS. Both ends of the
 * relay stream batch this way (publishes on a node, delivers on a gateway).
 */
export class FrameBatcher<F extends Parameters<typeof approximateFrameSize>[0]> {
  private frames: F[] = [];
  private bytes = 0;
  private timer: NodeJS.Immediate | undefined;

  constructor(private readonly send: (frames: F[]) => void) {}

  add(frame: F): void {
    this.frames.push(frame);
    this.bytes += approximateFrameSize(frame);
    if (this.frames.length >= RELAY_BATCH_LIMITS.frames || this.bytes >= RELAY_BATCH_LIMITS.bytes) this.flush();
    else this.timer ??= setImmediate(this.flush);
  }

  /** Sends what this turn gathered so far (nothing when empty): before any other frame, to keep the stream's order. */
  readonly flush = (): void => {
    const frames = this.frames;
    this.drop();
    if (frames.length > 0) this.send(frames);
  };

  /** Forgets what was gathered (a closed stream); answers how many frames that was. */
  drop(): number {
    const dropped = this.frames.length;
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.frames = [];
    this.bytes = 0;
    return dropped;
  }
}
