import { onShutdownSignal, type ShutdownProcess } from './shutdown';

/** A stand-in process: signals sent by hand, exits recorded. */
function fakeProcess(): ShutdownProcess & { send(signal: 'SIGINT' | 'SIGTERM'): void; exits: number[] } {
  const handlers = new Map<string, (signal: NodeJS.Signals) => void>();
  const exits: number[] = [];
  return {
    exits,
    on: (event, handler) => void handlers.set(event, handler),
    exit: (code) => void exits.push(code),
    send: (signal) => handlers.get(signal)?.(signal),
  };
}

describe('onShutdownSignal', () => {
  let finish: () => void;
  let stops: NodeJS.Signals[];
  const stop = (signal: NodeJS.Signals): Promise<void> => {
    stops.push(signal);
    return new Promise((resolve) => (finish = resolve));
  };
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    stops = [];
  });

  it('an operator drain asked during an orchestrator SIGTERM drain does nothing: the drain finishes and exits 0', async () => {
    const proc = fakeProcess();
    const drainNow = onShutdownSignal(stop, () => undefined, proc);
    proc.send('SIGTERM');
    drainNow('SIGTERM');
    drainNow('SIGTERM');
    await settle();
    expect(stops).toEqual(['SIGTERM']);
    expect(proc.exits).toEqual([]);
    finish();
    await settle();
    expect(proc.exits).toEqual([0]);
  });

  it('the trigger starts the shutdown once, however often it is asked (a thousand drains at once)', async () => {
    const proc = fakeProcess();
    const drainNow = onShutdownSignal(stop, () => undefined, proc);
    for (let i = 0; i < 1_000; i++) drainNow('SIGTERM');
    await settle();
    expect(stops).toEqual(['SIGTERM']);
    finish();
    await settle();
    expect(proc.exits).toEqual([0]);
  });

  it('a second real signal still forces the exit (a stuck shutdown never traps Ctrl-C)', async () => {
    const proc = fakeProcess();
    onShutdownSignal(stop, () => undefined, proc);
    proc.send('SIGINT');
    proc.send('SIGINT');
    expect(stops).toEqual(['SIGINT']);
    expect(proc.exits).toEqual([1]);
  });

  it('a failed shutdown exits 1', async () => {
    const proc = fakeProcess();
    onShutdownSignal(() => Promise.reject(new Error('stuck')), () => undefined, proc)('SIGTERM');
    await settle();
    expect(proc.exits).toEqual([1]);
  });
});
