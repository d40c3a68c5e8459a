import { ParleyMetrics } from '@parley/observability';

/** A registry of its own for one test (no default process metrics): what ImNodeDeps.metrics takes in tests. */
export function testMetrics(): ParleyMetrics {
  return new ParleyMetrics({ defaultMetrics: false });
}
