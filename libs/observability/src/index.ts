// What every process exposes about itself: Prometheus metrics, health, request and trace ids.
export { ParleyMetrics, LATENCY_BUCKETS, BATCH_BUCKETS, type ParleyMetricsOptions, type RoleLabels, type SeriesReader } from './parley-metrics';
export { timedPort, type TimedPortOptions } from './timed-port';
export { startMetricsServer, writeMetrics, type MetricsServer, type MetricsServerOptions } from './metrics-server';
