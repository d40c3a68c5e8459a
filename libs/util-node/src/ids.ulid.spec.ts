import { isValid } from 'ulid';
import { createUlidGenerator } from './ids.ulid';

describe('createUlidGenerator', () => {
  it('makes valid, unique ids that sort in creation order', () => {
    const ids = createUlidGenerator();
    // Enough ids to refill the random pool several times.
    const made = Array.from({ length: 3_000 }, () => ids.next());
    expect(made.every((id) => isValid(id))).toBe(true);
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
  });

  it('draws the random part from fresh randomness, not a fixed sequence', () => {
    const randomPart = (id: string): string => id.slice(10);
    const a = createUlidGenerator().next();
    const b = createUlidGenerator().next();
    expect(randomPart(a)).not.toEqual(randomPart(b));
    // All 32 symbols show up across ids: the pool's bytes are spread over the alphabet.
    const symbols = new Set(Array.from({ length: 200 }, () => randomPart(createUlidGenerator().next())).join(''));
    expect(symbols.size).toBe(32);
  });
});
