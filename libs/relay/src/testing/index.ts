export { startScriptedGateway } from './scripted-gateway';
export type { ScriptedGateway } from './scripted-gateway';
export { FakeNodeStream } from './fake-node-stream';
