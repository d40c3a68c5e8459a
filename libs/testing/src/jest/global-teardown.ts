import type { TestService } from '../service';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __parleyTestServices?: TestService[] }).__parleyTestServices ?? [];
  await Promise.all(services.map((s) => s.stop()));
}
