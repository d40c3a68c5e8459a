import { ParleyMetrics } from './parley-metrics';

const metricsText = async (metrics: ParleyMetrics): Promise<string> => (await metrics.text()).body;
const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`));

describe('ParleyMetrics scrape-time readers', () => {
  it('shows what every reader returns at each scrape, and a stopped reader no more (the others stay)', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const depth = { a: 3, b: 5 };
    const stopA = metrics.observeGauge(metrics.outboxDepth, () => [[{ node: 'im-a' }, depth.a]]);
    metrics.observeGauge(metrics.outboxDepth, () => [[{ node: 'im-b' }, depth.b]]);
    expect(seriesOf(await metricsText(metrics), 'parley_relay_outbox_depth')).toEqual(['parley_relay_outbox_depth{node="im-a"} 3', 'parley_relay_outbox_depth{node="im-b"} 5']);
    depth.a = 4;
    expect(seriesOf(await metricsText(metrics), 'parley_relay_outbox_depth')).toContain('parley_relay_outbox_depth{node="im-a"} 4');
    stopA();
    stopA(); // twice: nothing more
    expect(seriesOf(await metricsText(metrics), 'parley_relay_outbox_depth')).toEqual(['parley_relay_outbox_depth{node="im-b"} 5']);
  });

  it('drops a counter series once its last reader stops (a closed node reports nothing)', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const labels = { ...metrics.forNode('im-1'), reason: 'admin_bad-json' };
    const stop = metrics.observeCounter(metrics.relayDropped, () => [[labels, 2]]);
    expect(seriesOf(await metricsText(metrics), 'parley_relay_frames_dropped_total')).toEqual(['parley_relay_frames_dropped_total{node="im-1",gateway="",reason="admin_bad-json"} 2']);
    stop();
    expect(seriesOf(await metricsText(metrics), 'parley_relay_frames_dropped_total')).toEqual([]);
  });

  it('refuses a direct write to an observed family, whose readers would wipe it at the next scrape', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const role = metrics.forNode('im-1');
    metrics.observeCounter(metrics.relayDropped, () => [[{ ...role, reason: 'outbox_full' }, 1]]);
    expect(() => metrics.relayDropped.labels({ ...role, reason: 'admin_bad-json' })).toThrow(/parley_relay_frames_dropped_total is observed/);
    expect(() => metrics.relayDropped.inc({ ...role, reason: 'admin_bad-json' })).toThrow(/observed/);
    metrics.observeGauge(metrics.draining, () => [[{ node: 'im-1' }, 0]]);
    expect(() => metrics.draining.set({ node: 'im-1' }, 1)).toThrow(/parley_draining is observed/);
    // The readers still report.
    const text = await metricsText(metrics);
    expect(seriesOf(text, 'parley_relay_frames_dropped_total')).toEqual(['parley_relay_frames_dropped_total{node="im-1",gateway="",reason="outbox_full"} 1']);
    expect(seriesOf(text, 'parley_draining')).toEqual(['parley_draining{node="im-1"} 0']);
  });

  it('refuses to observe a family already written directly, and keeps its written series', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const accepted = metrics.messagesAccepted.labels({ node: 'im-1' });
    accepted.inc();
    expect(() => metrics.observeCounter(metrics.messagesAccepted, () => [[{ node: 'im-1' }, 9]])).toThrow(/parley_messages_accepted_total is written directly/);
    metrics.socketsConnected.set({ node: 'im-1' }, 2);
    expect(() => metrics.observeGauge(metrics.socketsConnected, () => [])).toThrow(/written directly/);
    accepted.inc(2);
    const text = await metricsText(metrics);
    expect(seriesOf(text, 'parley_messages_accepted_total')).toEqual(['parley_messages_accepted_total{node="im-1"} 3']);
    expect(seriesOf(text, 'parley_sockets_connected')).toEqual(['parley_sockets_connected{node="im-1"} 2']);
  });

  it('keeps each registry apart: a family observed in one is still free in another', async () => {
    const one = new ParleyMetrics({ defaultMetrics: false });
    const two = new ParleyMetrics({ defaultMetrics: false });
    one.observeGauge(one.draining, () => [[{ node: 'im-1' }, 1]]);
    two.draining.set({ node: 'im-2' }, 1);
    expect(seriesOf(await metricsText(two), 'parley_draining')).toEqual(['parley_draining{node="im-2"} 1']);
    expect(seriesOf(await metricsText(one), 'parley_draining')).toEqual(['parley_draining{node="im-1"} 1']);
  });
});
