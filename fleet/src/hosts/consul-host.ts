/**
 * The fleet's Consul: the agent API simulator as a process of its own, run
 * on its own host (network namespace), so its HTTP checks probe the
 * addresses the apps advertise across the test network, as a real agent on
 * another machine would. Prints CONSUL_HOST_READY once it listens.
 *
 *   FLEET_CONSUL_HOST  address to listen on (the host's own)
 *   FLEET_CONSUL_PORT  port (8500, Consul's)
 */
import { startConsulSimulator } from '@parley/testing';

async function main(): Promise<void> {
  const host = process.env.FLEET_CONSUL_HOST ?? '127.0.0.1';
  const port = Number(process.env.FLEET_CONSUL_PORT ?? 8500);
  const sim = await startConsulSimulator({ host, port, staggerChecks: false });
  process.stdout.write(`CONSUL_HOST_READY ${sim.host}:${sim.port}\n`);
  const stop = (): void => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`consul host failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
