import type { GatewayDirectory, GatewayInstance, GatewayRegistrar, GatewayRegistration } from '@parley/domain';
import { must } from '@parley/util';
import { eventually } from './discovery.contract';

/** One gateway-discovery engine under test. */
export interface GatewayDiscoveryEngine {
  /** A directory that lists these gateways once started (after registering them, if the engine registers). */
  directoryOf(gateways: readonly GatewayRegistration[]): Promise<GatewayDirectory>;
  /** How the list changes while watched; a static list has no registrar (and skips those tests). */
  registrar?: GatewayRegistrar;
  /** A registration whose /readyz answers 200. */
  newGateway(gatewayId: string): Promise<GatewayRegistration>;
  teardown(): Promise<void>;
}

export const relays = (gateways: readonly GatewayInstance[]): string[] => gateways.map((g) => g.relayAddress);

/** The behaviour every GatewayDirectory promises (with its registrar, where it has one). */
export function describeGatewayDiscoveryContract(
  name: string,
  createEngine: () => Promise<GatewayDiscoveryEngine>,
  { changes }: { changes: boolean },
): void {
  /** Tests of a list that changes, for engines with a registrar. */
  const itChanging = changes ? it : it.skip;
  describe(`gateway discovery contract: ${name}`, () => {
    let engine: GatewayDiscoveryEngine;
    let directory: GatewayDirectory | undefined;

    beforeEach(async () => {
      engine = await createEngine();
    });

    afterEach(async () => {
      await directory?.stop();
      directory = undefined;
      await engine.teardown();
    });

    const started = async (gateways: readonly GatewayRegistration[]): Promise<GatewayDirectory> => {
      directory = await engine.directoryOf(gateways);
      await directory.start();
      return directory;
    };

    it('lists its gateways with their relay addresses, one per gatewayId, sorted by gatewayId, frozen', async () => {
      const b = await engine.newGateway('gw-b');
      const a = await engine.newGateway('gw-a');
      const d = await started([b, a]);
      const list = await eventually(() => (d.liveGateways().length === 2 ? d.liveGateways() : undefined));
      expect(new Set(relays(list))).toEqual(new Set([a.relayAddress, b.relayAddress]));
      const gatewayIds = list.map((g) => g.gatewayId);
      expect(gatewayIds).toEqual([...gatewayIds].sort());
      expect(new Set(gatewayIds).size).toBe(2);
      expect(Object.isFrozen(list)).toBe(true);
      expect(Object.isFrozen(list[0])).toBe(true);
    });

    it('keeps the last list after stop()', async () => {
      const d = await started([await engine.newGateway('gw-a')]);
      await eventually(() => (d.liveGateways().length === 1 ? true : undefined));
      await d.stop();
      expect(d.liveGateways()).toHaveLength(1);
    });

    itChanging('tells listeners when a gateway comes and goes, until they unsubscribe', async () => {
      const registrar = must(engine.registrar, 'engine registrar');
      const d = await started([]);
      const seen: string[][] = [];
      const unsubscribe = d.onChange((list) => seen.push(relays(list)));
      const a = await engine.newGateway('gw-a');
      await registrar.register(a);
      await eventually(() => (d.liveGateways().length === 1 ? true : undefined));
      expect(d.liveGateways()).toEqual([{ gatewayId: 'gw-a', relayAddress: a.relayAddress }]);

      await registrar.deregister('gw-a');
      await eventually(() => (d.liveGateways().length === 0 ? true : undefined));
      expect(seen).toEqual([[a.relayAddress], []]);

      unsubscribe();
      await registrar.register(a);
      await eventually(() => (d.liveGateways().length === 1 ? true : undefined));
      expect(seen).toHaveLength(2);
    });

    itChanging('treats deregistering an unknown gateway as done', async () => {
      await expect(must(engine.registrar, 'engine registrar').deregister('never-registered')).resolves.toBeUndefined();
    });
  });
}
