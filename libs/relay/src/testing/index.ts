export { startScriptedGateway } from './scripted-gateway';
export type { ScriptedGateway } from './scripted-gateway';
