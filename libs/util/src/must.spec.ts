import { must } from './must';

describe('must', () => {
  it('hands back a present value, falsy ones included', () => {
    expect(must(0, 'count')).toBe(0);
    expect(must('', 'name')).toBe('');
    expect(must(null, 'row')).toBeNull();
  });

  it('throws an error naming what was missing', () => {
    expect(() => must([1][1], 'the second item')).toThrow('the second item is missing');
  });
});
