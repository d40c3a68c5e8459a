/**
 * The fleet proof for an operator to watch: `npm run test:fleet [-- options]`.
 *
 *   --users N   simulated users (default 100)
 *   --rate N    messages per second among the first users (default 20)
 *
 * Progress goes to stderr; stdout gets one line,
 * `scenario=fleet lost=N duplicated=N out_of_order=N gaps=N max_push_delay_ms=N`.
 * Exits 0 when everything held, 1 when something did not, 3 when this
 * machine cannot make the hosts (not root, no `ip`, no nginx). Logs of every
 * process: tmp/fleet-logs/.
 */
import { parseArgs } from 'node:util';
import { fleetUnavailableReason } from './preflight';
import { FLEET_DEFAULTS, formatFleetLine, runFleetScenario } from './scenario';

/** Hard stop, so a wedged run never hangs CI. */
const RUN_TIMEOUT_MS = 6 * 60_000;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { users: { type: 'string' }, rate: { type: 'string' } } });
  const started = Date.now();
  const log = (line: string): void => void process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}\n`);
  const unavailable = fleetUnavailableReason();
  if (unavailable) {
    log(`fleet proof cannot run here: ${unavailable}`);
    return 3;
  }
  const result = await runFleetScenario({
    ...FLEET_DEFAULTS,
    users: values.users ? positiveInt('--users', values.users) : FLEET_DEFAULTS.users,
    ratePerSecond: values.rate ? positiveInt('--rate', values.rate) : FLEET_DEFAULTS.ratePerSecond,
    log,
  });
  for (const p of result.problems) log(`problem: ${p}`);
  log(`${result.ok ? 'held' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)} s`);
  process.stdout.write(`${formatFleetLine(result)}\n`);
  return result.ok ? 0 : 1;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive integer, got ${value}`);
  return n;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`fleet proof still running after ${RUN_TIMEOUT_MS / 60_000} min: aborting\n`);
  process.exit(2); // exit hooks kill every process and remove the namespaces
}, RUN_TIMEOUT_MS);
watchdog.unref();
// Ctrl-C: exit through process.exit so the exit hooks clean up.
process.once('SIGINT', () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
