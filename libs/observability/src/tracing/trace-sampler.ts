/**
 * Which messages are followed (PARLEY_TRACE_SAMPLE): 1 every one (the
 * default), 0 none (no trace id is made, nothing is logged or exported),
 * in between that share, drawn per message.
 */
export class TraceSampler {
  constructor(
    readonly ratio: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`trace sample ratio must be within 0..1, got ${ratio}`);
  }

  /** False at once for 0: no random draw when tracing is off. */
  sample(): boolean {
    if (this.ratio >= 1) return true;
    return this.ratio > 0 && this.random() < this.ratio;
  }
}
