import { describeStartupError } from './startup-error';

describe('describeStartupError', () => {
  it('names the cause under a generic message', () => {
    const driver = new Error("Unknown database 'parley'");
    expect(describeStartupError(new Error('store unavailable', { cause: driver }))).toBe("store unavailable: Unknown database 'parley'");
  });

  it('keeps a plain error, a thrown string and a repeated message as they are', () => {
    expect(describeStartupError(new Error('port in use'))).toBe('port in use');
    expect(describeStartupError('boom')).toBe('boom');
    const same = new Error('x', { cause: new Error('x') });
    expect(describeStartupError(same)).toBe('x');
  });

  it('stops after a few levels of causes', () => {
    let err = new Error('level 9');
    for (let i = 8; i >= 0; i--) err = new Error(`level ${i}`, { cause: err });
    expect(describeStartupError(err)).toBe('level 0: level 1: level 2: level 3');
  });
});
