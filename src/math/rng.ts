/**
 * Seeded pseudo-random numbers shared by the synthetic world, the trainer's
 * task sampler and negative sampling.
 *
 * The generator is sfc32 seeded through cyrb128: pure 32-bit integer
 * arithmetic, so `next()` yields bit-identical streams in Node and every
 * browser. (`normal()` goes through Math.log/cos, which engines are not
 * obliged to round identically; V8 in Node and Chromium agree.)
 */

export interface Rng {
  /** Uniform float in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
  /** Standard normal sample (mean 0, variance 1). */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(array: T[]): T[];
  /** k distinct integers in [0, n), in random order; O(k) time and memory. */
  sample(n: number, k: number): number[];
  /** Index i with probability weights[i] / sum(weights); O(weights.length). */
  choiceWeighted(weights: ArrayLike<number>): number;
  /** An independent generator derived from this one's seed and a label (not its state). */
  fork(label: string | number): Rng;
}

/** Hashes a string into four 32-bit words (cyrb128). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`rng: ${name} must be a non-negative integer, got ${value}`);
  }
}

/** Creates a deterministic generator: the same seed gives the same stream everywhere. */
export function createRng(seed: number | string): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new RangeError(`rng: seed must be a finite number or a string, got ${seed}`);
  }
  const seedText = String(seed);
  let [a, b, c, d] = cyrb128(seedText);

  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that similar seeds decorrelate before the first draw.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;

  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`rng.int: n must be a positive integer, got ${n}`);
    }
    return Math.floor(next() * n);
  };

  const rng: Rng = {
    next,
    int,
    normal() {
      // Box–Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle<T>(array: T[]): T[] {
      for (let i = array.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = array[i] as T;
        array[i] = array[j] as T;
        array[j] = tmp;
      }
      return array;
    },
    sample(n: number, k: number): number[] {
      assertCount('n', n);
      assertCount('k', k);
      if (k > n) {
        throw new RangeError(`rng.sample: cannot draw ${k} distinct values from ${n}; use k <= n`);
      }
      // Partial Fisher–Yates over a virtual [0..n) array; only swapped slots are stored.
      const swapped = new Map<number, number>();
      const out: number[] = new Array<number>(k);
      for (let i = 0; i < k; i++) {
        const j = i + int(n - i);
        const atJ = swapped.get(j) ?? j;
        out[i] = atJ;
        swapped.set(j, swapped.get(i) ?? i);
      }
      return out;
    },
    choiceWeighted(weights: ArrayLike<number>): number {
      let total = 0;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i] as number;
        if (!(w >= 0) || !Number.isFinite(w)) {
          throw new RangeError(`rng.choiceWeighted: weight ${i} is ${w}; weights must be finite and >= 0`);
        }
        total += w;
      }
      if (total <= 0) {
        throw new RangeError(`rng.choiceWeighted: weights sum to ${total} over ${weights.length} entries; need a positive sum`);
      }
      let r = next() * total;
      let last = -1;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i] as number;
        if (w <= 0) continue;
        last = i;
        r -= w;
        if (r < 0) return i;
      }
      return last; // floating-point shortfall: fall back to the last positive weight
    },
    fork(label: string | number): Rng {
      // Depends on the label only, so adding draws elsewhere never shifts a fork's stream.
      return createRng(`${seedText}\u0000${String(label)}`);
    },
  };
  return rng;
}

/**
 * A sampler for many draws from one fixed distribution: O(n) to build,
 * O(log n) per draw (cumulative sums + binary search).
 */
export function createWeightedSampler(weights: ArrayLike<number>): (rng: Rng) => number {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new RangeError(`createWeightedSampler: weight ${i} is ${w}; weights must be finite and >= 0`);
    }
    total += w;
    cumulative[i] = total;
  }
  if (total <= 0) {
    throw new RangeError(`createWeightedSampler: weights sum to ${total} over ${weights.length} entries; need a positive sum`);
  }
  return (rng) => {
    const r = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
