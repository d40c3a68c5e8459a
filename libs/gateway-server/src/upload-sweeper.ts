import type { AttachmentService } from '@parley/domain';
import type { Logger } from '@parley/util';

/** The sweep's default period (PARLEY_UPLOAD_SWEEP_SEC). */
export const DEFAULT_UPLOAD_SWEEP_MS = 60_000;

/**
 * Removes expired unsent uploads every period. Every gateway sweeps: two
 * sweeps of one upload delete the same objects and record, which is
 * harmless. One sweep at a time per gateway; a failed one is logged and
 * retried next period.
 */
export class UploadSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly attachments: Pick<AttachmentService, 'sweep'>,
    private readonly logger: Logger,
    private readonly periodMs = DEFAULT_UPLOAD_SWEEP_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweepOnce(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep (skipped while the previous one still runs). */
  sweepOnce(): Promise<void> {
    this.running ??= this.attachments
      .sweep()
      .then((swept) => {
        if (swept > 0) this.logger.info({ swept }, 'expired uploads swept');
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'upload sweep failed; retried next period'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
