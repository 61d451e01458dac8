import { gridSearch, objectiveOf } from '../evaluate.js';
import type { Scores } from '../../protocol/types.js';
import { FitRegistry } from '../registry.js';
import type { Method, MethodFactory, Scorer } from '../types.js';

export const BLEND_BEST_WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

/** Scores standardised over the catalog (mean 0, sd 1), so two methods' scales meet. */
function standardised(s: Scores): Float64Array {
  let sum = 0;
  let sq = 0;
  const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
  for (let i = 0; i < s.length; i++) {
    const v = finite(s[i]!);
    sum += v;
    sq += v * v;
  }
  const mean = sum / s.length;
  const sd = Math.sqrt(Math.max(sq / s.length - mean * mean, 0)) || 1;
  // A plain loop: Float64Array.from with a mapping function is several times slower on a 17k-item catalog, same floats.
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = (finite(s[i]!) - mean) / sd;
  return out;
}

/**
 * The two components' standardised scores of the latest support (or batch of supports),
 * shared by every weight: the weight search hands each user's supports to all weights
 * as the same array (Objective.scoreAll), so each component scores them once, not once per weight.
 */
function sharedComponents(a: Scorer, b: Scorer) {
  const many = async (s: Scorer, supports: readonly Int32Array[]): Promise<Scores[]> =>
    s.scoreMany ? s.scoreMany(supports) : Promise.all(supports.map((x) => s.score(x)));
  const standardisedPairs = async (key: Int32Array | readonly Int32Array[]): Promise<[Float64Array, Float64Array][]> => {
    const [sa, sb] = key instanceof Int32Array ? [[await a.score(key)], [await b.score(key)]] : [await many(a, key), await many(b, key)];
    return sa.map((x, i) => [standardised(x), standardised(sb[i]!)]);
  };
  let last: { key: Int32Array | readonly Int32Array[]; z: Promise<[Float64Array, Float64Array][]> } | null = null;
  return (key: Int32Array | readonly Int32Array[]): Promise<[Float64Array, Float64Array][]> => {
    if (last?.key !== key) last = { key, z: standardisedPairs(key) };
    return last.z;
  };
}

/** (1 - weight) · z(a) + weight · z(b), the same floats whether or not z is shared. */
function mix([za, zb]: [Float64Array, Float64Array], weight: number): Float64Array {
  const out = new Float64Array(za.length);
  for (let i = 0; i < za.length; i++) out[i] = (1 - weight) * za[i]! + weight * zb[i]!;
  return out;
}

function blended(z: ReturnType<typeof sharedComponents>, weight: number): Scorer {
  return {
    score: async (support) => mix((await z(support))[0]!, weight),
    scoreMany: async (supports) => (await z(supports)).map((pair) => mix(pair, weight)),
  };
}

/**
 * A tuned blend of the best two tuned baselines: every candidate is fitted and
 * tuned on the validation users, the two with the best validation objective are
 * kept, and the weight between their standardised scores is chosen on the same users.
 * Candidates the run already fitted on this fold (the context's registry) are
 * reused as they are, so only the weight is tuned here.
 */
export function blendBest(candidates: Readonly<Record<string, MethodFactory>>, weights: readonly number[] = BLEND_BEST_WEIGHTS): Method {
  return {
    name: 'blend',
    uses: Object.keys(candidates),
    fit: async (fold, ctx) => {
      const objective = objectiveOf(ctx);
      // Run alone (no harness), the blend owns its components' fits and disposes them with itself.
      const own = ctx.registry ? null : new FitRegistry();
      const registry = ctx.registry ?? own!;
      const fitted: { name: string; scorer: Scorer; value: number }[] = [];
      try {
        for (const [name, factory] of Object.entries(candidates)) {
          const progress = (m: string): void => ctx.onProgress?.(`${name}: ${m}`);
          const scorer = await registry.fitted(name, objective, () => factory().fit(fold, { ...ctx, registry, onProgress: progress }));
          // Tuning measured the chosen configuration on these users by this objective already.
          const known = scorer.validation?.objective === objective.name ? scorer.validation.value : undefined;
          fitted.push({ name, scorer, value: known ?? (await objective.score(scorer, fold.validation)) });
        }
        fitted.sort((x, y) => y.value - x.value);
        if (fitted.length < 2) throw new Error(`blend needs at least two candidate methods, got ${fitted.length}: ${fitted.map((f) => f.name).join(', ')}`);
        const [a, b] = [fitted[0]!, fitted[1]!];
        const candidatesTried = fitted.map((f) => ({ method: f.name, validation: f.value }));
        const z = sharedComponents(a.scorer, b.scorer);
        const extra = {
          components: [a.name, b.name],
          candidates: candidatesTried,
          note: `(1 - weight) · z(${a.name}) + weight · z(${b.name}), z standardising each method's scores over the catalog`,
        };
        // Every weight in one pass over the users, so the components score each support once.
        const tuned = await gridSearch('blend', [weights.map((weight) => ({ weight }))], async ({ weight }) => blended(z, weight), fold.validation, ctx, extra, true);
        // The components belong to the registry: the blend disposes them only when it owns it.
        return { ...tuned, dispose: () => own?.dispose() };
      } catch (err) {
        own?.dispose();
        throw err;
      }
    },
  };
}
