/**
 * `list[index]`, or an Error naming what is missing (`no IM node at 2`). For
 * tests and test tools: an entry that is not there fails at the read with a
 * clear message, not with a TypeError on `undefined` a few lines on.
 */
export function at<T>(list: ArrayLike<T>, index: number, what: string): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no ${what} at ${index}`);
  return item;
}
