import { ParleyError } from '@parley/protocol';
import type { Throttle, ThrottleFactory, ThrottleSpec } from '@parley/domain';
import { silentLogger, type Logger } from '@parley/util';
import { createUserSendQuota } from './send-quota';

describe('createUserSendQuota', () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (_obj, msg) => void warnings.push(msg ?? '') };
  const clock = { now: () => 1_700_000_000_000 };
  let down = false;
  let specs: ThrottleSpec[];
  /** A counter store that can go down: 2 points per window. */
  const factory: ThrottleFactory = {
    create(spec) {
      specs.push(spec);
      let used = 0;
      const unavailable = () => new ParleyError('UNAVAILABLE', 'rate limit store unavailable');
      return {
        consume: async (_key, points = 1) => {
          if (down) throw unavailable();
          if (used + points > spec.points) return { ok: false, consumed: used, retryAfterMs: 1234 };
          used += points;
          return { ok: true, consumed: used };
        },
        refund: async () => {
          if (down) throw unavailable();
        },
        peek: async () => {
          if (down) throw unavailable();
          return used;
        },
        reset: async () => {
          if (down) throw unavailable();
        },
      } satisfies Throttle;
    },
  };

  beforeEach(() => {
    down = false;
    specs = [];
    warnings.length = 0;
  });

  it('is one counter family named user-send with the configured window', () => {
    createUserSendQuota(factory, { points: 2, windowSec: 60 }, clock, logger);
    expect(specs).toEqual([{ name: 'user-send', points: 2, durationSec: 60 }]);
  });

  it("passes the counter's refusals through", async () => {
    const quota = createUserSendQuota(factory, { points: 2, windowSec: 60 }, clock, logger);
    await quota.consume('alice');
    await quota.consume('alice');
    await expect(quota.consume('alice')).resolves.toEqual({ ok: false, consumed: 2, retryAfterMs: 1234 });
  });

  it('lets sends through while the counter store is down, with one warning, and counts again once it is back', async () => {
    const quota = createUserSendQuota(factory, { points: 2, windowSec: 60 }, clock, logger);
    down = true;
    for (let i = 0; i < 5; i++) await expect(quota.consume('alice')).resolves.toMatchObject({ ok: true });
    await expect(quota.refund('alice')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    down = false;
    await quota.consume('alice');
    await quota.consume('alice');
    await expect(quota.consume('alice')).resolves.toMatchObject({ ok: false });
  });
});
