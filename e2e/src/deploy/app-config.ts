/* eslint-disable @nx/enforce-module-boundaries -- the deployment files are checked against the apps' own config loaders, not a copy of their rules */
import crypto from 'node:crypto';
import { loadGatewayConfig } from '../../../apps/gateway/src/config';
import { loadImConfig } from '../../../apps/im-service/src/config';

/** Secrets of the strength the apps demand, for the values an operator supplies. */
export const OPERATOR_SECRETS = {
  PARLEY_JWT_SECRET: crypto.randomBytes(48).toString('base64'),
  PARLEY_CLUSTER_SECRET: crypto.randomBytes(48).toString('base64'),
};

/**
 * Runs a deployment's environment through the app's own config loader: an
 * unknown PARLEY_* key, a bad value or a missing requirement throws here, as
 * it would make the process exit at start.
 */
export function acceptedBy(app: 'gateway' | 'im', env: Record<string, string>): void {
  if (app === 'gateway') loadGatewayConfig(env);
  else loadImConfig(env);
}
