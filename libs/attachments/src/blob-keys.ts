import { ParleyError } from '@parley/protocol';

/**
 * Keys are the domain's (`<uploadId>`, `<uploadId>.thumb`), but an engine
 * never trusts them: anything beyond letters, digits, `.`, `_` and `-`, or a
 * key that could name a parent or hidden file, is refused before it reaches
 * a path or an object name.
 */
const SAFE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export function checkBlobKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes('..')) throw new ParleyError('INVALID_ARGUMENT', 'malformed blob key');
  return key;
}
