import { ParleyMetrics } from '@parley/observability';

/** What createHttpApp and createGateway need for metrics, in tests: a fresh registry (no default metrics) and an id. */
export function testGatewayMetrics(gatewayId = 'gw-test'): { gatewayId: string; metrics: ParleyMetrics } {
  return { gatewayId, metrics: new ParleyMetrics({ defaultMetrics: false }) };
}
