import { sleep } from './abortable-sleep';
import { consulErrorText } from './consul-connection';
import type { DiscoveryLog } from './logger';

export interface AntiEntropyOptions {
  intervalMs: number;
  /** Asks the agent; throws when it cannot be asked. `signal` aborts the request in flight (stop()). */
  isRegistered(signal: AbortSignal): Promise<boolean>;
  /** One registration attempt; throws on failure. `signal` aborts the request in flight (stop()). */
  register(signal: AbortSignal): Promise<void>;
  logger: DiscoveryLog;
  /** Who this is about, for logs (never secrets). */
  context: Record<string, string>;
}

/** Warn on the first failed round, then on every tenth, so an outage does not flood the logs. */
const WARN_EVERY = 10;

/**
 * Keeps one service registered: every interval, asks the local agent whether
 * it still knows the service and registers it again if not. Consul forgets a
 * service when an agent restarts without its data directory, or when the
 * check stayed critical past DeregisterCriticalServiceAfter (a long stall).
 * An unreachable agent is retried on the next round.
 */
export class AntiEntropy {
  private readonly stopping = new AbortController();
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: AntiEntropyOptions) {}

  start(): void {
    this.loop = this.run();
  }

  /** Cancels the check or re-registration in flight and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { intervalMs, logger, context } = this.options;
    const signal = this.stopping.signal;
    let failures = 0;
    for (;;) {
      await sleep(intervalMs, signal);
      if (signal.aborted) return;
      try {
        if (await this.options.isRegistered(signal)) {
          failures = 0;
          continue;
        }
        if (signal.aborted) return;
        await this.options.register(signal);
        failures = 0;
        logger.info(context, 'registered in consul again: the agent had forgotten the service');
      } catch (err) {
        if (signal.aborted) return;
        failures += 1;
        if (failures === 1 || failures % WARN_EVERY === 0) {
          logger.warn({ ...context, failures, err: consulErrorText(err) }, 'consul registration check failed; will retry');
        }
      }
    }
  }
}
