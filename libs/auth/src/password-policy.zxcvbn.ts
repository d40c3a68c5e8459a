import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { ParleyError, usernameKey } from '@parley/protocol';
import type { PasswordPolicy } from '@parley/domain';

export type ZxcvbnScore = 0 | 1 | 2 | 3 | 4;

export interface ZxcvbnPolicyOptions {
  /**
   * Lowest zxcvbn score accepted. 3 means about 10^8 guesses or more: online
   * guessing is throttled elsewhere, so this rule is for a leaked database,
   * where each argon2id guess (~19 MiB) costs tens of milliseconds of a core:
   * score 3 is then weeks of work per account, score 2 (10^6) under a day.
   * @default 3
   */
  minScore: ZxcvbnScore;
}

const DEFAULTS: ZxcvbnPolicyOptions = { minScore: 3 };

/**
 * Only this many leading characters are scored. zxcvbn's matching grows much
 * faster than the length (a 64-character "1q2w3e4r…" took 0.35 s, a 256-one
 * 1.5 s, all on the event loop); a password is never weaker than its prefix,
 * so scoring the prefix can only be stricter.
 */
const SCORED_LENGTH = 64;
/**
 * l33t variants tried per password: the default 100 let a 64-character run of
 * symbols take 0.7 s; 10 keeps the worst case near 0.1 s (measured on the
 * shared 2-core machine) and still sees "p4ssw0rd" as "password".
 */
const L33T_MAX_SUBSTITUTIONS = 10;

/** Words every Parley password is also checked against. */
const SITE_WORDS = ['parley'];

/**
 * Refuses, in this order and naming the rule: a password holding the
 * username (case and width folded as usernames are), one that is a common
 * password as a whole (l33t and case variants too), and one zxcvbn scores
 * below `minScore`. The dictionaries are loaded once, by the constructor:
 * build one per process in the composition root.
 */
export class ZxcvbnPasswordPolicy implements PasswordPolicy {
  private readonly options: ZxcvbnPolicyOptions;
  private readonly zxcvbn: ZxcvbnFactory;

  constructor(options: Partial<ZxcvbnPolicyOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULTS, ...options });
    this.zxcvbn = new ZxcvbnFactory({
      dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
      graphs: zxcvbnCommon.adjacencyGraphs,
      translations: zxcvbnEn.translations,
      maxLength: SCORED_LENGTH,
      l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
    });
  }

  check(password: string, context: { username: string; displayName?: string }): void {
    if (usernameKey(password).includes(usernameKey(context.username))) {
      throw refused('must not contain the username');
    }
    // Each word of the display name too: zxcvbn matches user inputs as whole tokens.
    const nameWords = context.displayName?.split(/\s+/u).filter((word) => word.length > 0) ?? [];
    const userInputs = [context.username, ...nameWords, ...SITE_WORDS];
    const result = this.zxcvbn.check(password.slice(0, SCORED_LENGTH), userInputs);
    if (isCommonPassword(result)) throw refused('too common');
    if (result.score < this.options.minScore) {
      throw refused('too easy to guess; a few unrelated words with a separator make a strong one');
    }
  }
}

/** The whole password is one entry of the common-passwords list (as typed, reversed, l33t or in other case). */
function isCommonPassword(result: ZxcvbnResult): boolean {
  const [only, ...rest] = result.sequence;
  return rest.length === 0 && only?.pattern === 'dictionary' && 'dictionaryName' in only && only.dictionaryName === 'passwords-common';
}

function refused(rule: string): ParleyError {
  return new ParleyError('INVALID_ARGUMENT', `password: ${rule}`);
}
