import { definedOnly } from './defined-only';

describe('definedOnly', () => {
  it('drops undefined entries so defaults spread under them survive', () => {
    const defaults = { a: 1, b: 2, c: 3 };
    const given: { a?: number; b?: number; c?: number } = { a: undefined, b: 0, c: undefined };
    expect({ ...defaults, ...definedOnly(given) }).toEqual({ a: 1, b: 0, c: 3 });
  });

  it('keeps null and other falsy values, which are real choices', () => {
    expect(definedOnly({ a: null, b: '', c: false, d: undefined })).toEqual({ a: null, b: '', c: false });
  });
});
