import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { answersReady, readyzUrl } from './ready-probe';

describe('answersReady', () => {
  let node: HealthzFixture;
  beforeEach(async () => {
    node = await startHealthz();
  });
  afterEach(() => node.close());

  it('is true for a node answering 200 on /readyz', async () => {
    await expect(answersReady(readyzUrl(node.registration('im-1').url), 1_000, new AbortController().signal)).resolves.toBe(true);
    expect(node.readyzHits).toBe(1);
  });

  it('is false at once, without asking, when the signal has already aborted', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(answersReady(readyzUrl(node.registration('im-1').url), 1_000, aborted.signal)).resolves.toBe(false);
    expect(node.readyzHits).toBe(0);
  });
});
