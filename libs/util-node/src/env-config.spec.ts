import { z } from 'zod';
import { parseEnvConfig } from './env-config';

const schema = z.object({
  PARLEY_PORT: z.coerce.number().int().default(8080),
  PARLEY_NAME: z.string().default('x'),
});

describe('parseEnvConfig', () => {
  it('applies defaults and coerces values', () => {
    expect(parseEnvConfig(schema, { PARLEY_PORT: '9000', HOME: '/root' })).toEqual({ PARLEY_PORT: 9000, PARLEY_NAME: 'x' });
  });

  it('rejects unknown PARLEY_ keys', () => {
    expect(() => parseEnvConfig(schema, { PARLEY_PROT: '1' })).toThrow(/PARLEY_PROT/);
  });

  it('rejects invalid values and freezes the result', () => {
    expect(() => parseEnvConfig(schema, { PARLEY_PORT: 'abc' })).toThrow(/PARLEY_PORT/);
    expect(Object.isFrozen(parseEnvConfig(schema, {}))).toBe(true);
  });
});
