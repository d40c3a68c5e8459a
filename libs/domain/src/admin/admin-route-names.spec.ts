import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_ROUTE_NAMES } from './admin-service';

const DOC = path.resolve(__dirname, '../../../../docs/operations.md');

describe('the action label of parley_admin_actions_total in docs/operations.md', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const paragraph = doc.split('\n\n').find((p) => p.startsWith('The `action` of `parley_admin_actions_total`')) ?? '';

  it('lists every value the gateway counts, and no other', () => {
    expect(paragraph).not.toBe('');
    const named = [...paragraph.matchAll(/`([a-z]+:[a-z]+)`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...ADMIN_ROUTE_NAMES].sort());
    // The access check is not an admin action: never a label value.
    expect(ADMIN_ROUTE_NAMES.some((name) => name.includes('access'))).toBe(false);
  });
});
