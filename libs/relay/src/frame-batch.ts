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

/** Whether a batch holding `frames` frames of `bytes` bytes must leave now. */
export function batchIsFull(frames: number, bytes: number): boolean {
  return frames >= RELAY_BATCH_LIMITS.frames || bytes >= RELAY_BATCH_LIMITS.bytes;
}
