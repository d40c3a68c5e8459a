import type { z } from 'zod';
import { ParleyError } from './errors';

/** Parses input or throws INVALID_ARGUMENT naming the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload';
  throw new ParleyError('INVALID_ARGUMENT', `${field}: ${issue?.message ?? 'invalid'}`);
}
