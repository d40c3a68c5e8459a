import { AhoCorasickTextFilter } from './text-filter.aho-corasick';

/** A fixed pseudo-random sequence, so the figure compares between runs. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const CJK = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看无开手十用主行方又如前所本见经头面公同三已老从动两长';

function text(random: () => number, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

// A benchmark-style figure: printed for the record, never asserted (the machine is shared).
describe('AhoCorasickTextFilter performance', () => {
  it('screens 10,000 messages against 10,000 words (prints µs/message)', () => {
    const random = generator(14);
    const words = Array.from({ length: 10_000 }, (_, i) => text(random, 3 + Math.floor(random() * 5), i % 2 ? LATIN : CJK));
    // Chat-sized messages, half Latin with spaces, half Chinese; 20-120 characters.
    const messages = Array.from({ length: 10_000 }, (_, i) => text(random, 20 + Math.floor(random() * 100), i % 2 ? `${LATIN}    ` : CJK));

    const started = process.hrtime.bigint();
    const filter = new AhoCorasickTextFilter(words, 'mask');
    const buildMs = Number(process.hrtime.bigint() - started) / 1e6;

    // Timed per script: an all-ASCII message is only lower-cased, any other is folded first.
    const latin = messages.filter((_, i) => i % 2 === 1);
    const chinese = messages.filter((_, i) => i % 2 === 0);
    const perMessageUs = (filter: AhoCorasickTextFilter, batch: readonly string[]): { us: number; changed: number } => {
      let changed = 0;
      const begun = process.hrtime.bigint();
      for (const message of batch) {
        const result = filter.screen(message, 'message');
        if (!result.ok || result.text !== message) changed++;
      }
      return { us: Number(process.hrtime.bigint() - begun) / 1e3 / batch.length, changed };
    };

    const maskLatin = perMessageUs(filter, latin);
    const maskChinese = perMessageUs(filter, chinese);
    const maskedCount = maskLatin.changed + maskChinese.changed;
    const reject = new AhoCorasickTextFilter(words, 'reject');
    const rejectLatin = perMessageUs(reject, latin);
    const rejectChinese = perMessageUs(reject, chinese);

    process.stdout.write(
      `text filter: 10,000 words built in ${buildMs.toFixed(0)} ms; µs/message (ASCII / Chinese): ` +
        `mask ${maskLatin.us.toFixed(1)} / ${maskChinese.us.toFixed(1)} (${maskedCount} of 10,000 masked), ` +
        `reject ${rejectLatin.us.toFixed(1)} / ${rejectChinese.us.toFixed(1)} (${rejectLatin.changed + rejectChinese.changed} refused)\n`,
    );
    expect(maskedCount).toBeGreaterThan(0);
  });
});
