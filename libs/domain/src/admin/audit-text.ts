import { ParleyError } from '@parley/protocol';

/**
 * The audit log's column widths in characters (Unicode code points, as the
 * store counts them: it refuses a wider value with INVALID_ARGUMENT).
 */
export const AUDIT_WIDTHS = Object.freeze({ detail: 1_000, target: 255, actorId: 64, gatewayId: 128 });

/** A lone surrogate (half of a pair without the other half). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` cut to at most `max` code points, never inside a surrogate pair
 * (a UTF-16 slice can keep half an emoji, which the store cannot write), with
 * any lone surrogate it came with replaced by U+FFFD.
 */
export function cutToCodePoints(text: string, max: number): string {
  const whole = text.replace(LONE_SURROGATE, '\uFFFD');
  // UTF-16 length >= code points: short enough already.
  if (whole.length <= max) return whole;
  let kept = 0;
  let end = 0;
  for (const char of whole) {
    if (kept === max) break;
    kept++;
    end += char.length;
  }
  return whole.slice(0, end);
}

/** Refuses a value wider than its audit column, naming it, before anything is written or done. */
export function checkAuditWidth(field: 'target' | 'actorId' | 'gatewayId', value: string): void {
  const max = AUDIT_WIDTHS[field];
  // Code points, counted only when the UTF-16 length could be over.
  if (value.length > max && [...value].length > max) {
    throw new ParleyError('INVALID_ARGUMENT', `the audit log's ${field} is at most ${max} characters; this one has ${[...value].length}`);
  }
}
