import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { RelayAudiences, StreamAuthenticator, type RelayAuth } from '../auth';
import type { GatewayFrame } from '../generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame__Output } from '../generated/parley/relay/v1/NodeFrame';
import { loadRelayProto } from '../proto';

export interface ScriptedGateway {
  address: string;
  /** Emits 'connect' once per stream, after its script was written; `count` streams so far; 'frame' per frame read, `framesIn` so far, `frames` every frame read. */
  connections: EventEmitter & { count: number; framesIn: number; frames: NodeFrame__Output[] };
  close(): void;
}

/**
 * A relay listener for tests that do not want a real gateway's routing: on
 * each stream's first frame it writes `before`, a Welcome (with the proof
 * `auth` allows: a wrong secret gives one the node refuses), then `after`.
 */
export async function startScriptedGateway(
  auth: RelayAuth,
  before: GatewayFrame[],
  after: GatewayFrame[],
  /** Whether its Welcome says it takes PublishBatch frames. @default false (as an older gateway) */
  batches = false,
): Promise<ScriptedGateway> {
  const proto = loadRelayProto();
  const server = new grpc.Server();
  const authenticator = new StreamAuthenticator(auth);
  const connections = Object.assign(new EventEmitter(), { count: 0, framesIn: 0, frames: [] as NodeFrame__Output[] });
  server.addService(proto.parley.relay.v1.Relay.service, {
    Connect: (call: grpc.ServerDuplexStream<NodeFrame__Output, GatewayFrame>) => {
      call.on('error', () => undefined);
      const check = authenticator.authenticate(call);
      call.once('data', () => {
        for (const frame of before) call.write(frame);
        call.write({ welcome: { gatewayId: 'scripted', proof: check.ok ? check.identity.welcomeProof('scripted') : 'no-proof', batches } });
        for (const frame of after) call.write(frame);
        connections.count++;
        connections.emit('connect');
      });
      call.on('data', (frame: NodeFrame__Output) => {
        connections.frames.push(frame);
        connections.framesIn++;
        connections.emit('frame');
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  authenticator.listenAt(new RelayAudiences({ port, bindHost: '127.0.0.1' }));
  return { address: `127.0.0.1:${port}`, connections, close: () => server.forceShutdown() };
}
