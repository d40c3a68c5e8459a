/**
 * The fault-injection suite: `npm run test:faults [-- options]`.
 *
 *   --scenarios kill9,drain,…   which scenarios (default: all, in the listed order)
 *   --users N                   simulated users of the mixed workload (default 120)
 *   --rate N                    messages per second of the mixed workload (default 40)
 *   --fast                      the CI subset's sizes and phase lengths
 *
 * Prints one `scenario=… lost=… …` line per scenario on stdout (progress goes
 * to stderr) and exits non-zero when any count is non-zero, a client did not
 * reconnect, or a scenario failed to run. Process logs: tmp/cluster-logs/faults-*.
 */
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios';
import { FAST_PROFILE, FULL_PROFILE, formatResultLine, runScenario, type SuiteOptions } from './suite';

/** Hard stop for the whole suite, so a wedged run never hangs CI. */
const SUITE_TIMEOUT_MS = 15 * 60_000;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string' },
      users: { type: 'string' },
      rate: { type: 'string' },
      fast: { type: 'boolean', default: false },
    },
  });
  const profile = values.fast ? FAST_PROFILE : FULL_PROFILE;
  const options: SuiteOptions = {
    ...profile,
    users: values.users ? positiveInt('--users', values.users) : profile.users,
    ratePerSecond: values.rate ? positiveInt('--rate', values.rate) : profile.ratePerSecond,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`),
  };
  const names = values.scenarios ? values.scenarios.split(',').map(scenarioName) : [...SCENARIO_NAMES];

  let failed = 0;
  for (const name of names) {
    try {
      const result = await runScenario(name, options);
      process.stdout.write(`${formatResultLine(result)}\n`);
      if (!result.ok) failed++;
    } catch (err) {
      failed++;
      options.log(`[${name}] did not run to the end: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  options.log(`${names.length - failed} of ${names.length} scenarios passed`);
  return failed === 0 ? 0 : 1;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive integer, got ${value}`);
  return n;
}

function scenarioName(value: string): ScenarioName {
  const name = value.trim();
  if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown scenario ${name}; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  return name as ScenarioName;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`fault suite still running after ${SUITE_TIMEOUT_MS / 60_000} min: aborting\n`);
  process.exit(2); // exit hooks SIGKILL every server the harness started
}, SUITE_TIMEOUT_MS);
watchdog.unref();
// Ctrl-C: exit through process.exit so the harness's exit hooks stop every server.
process.once('SIGINT', () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
