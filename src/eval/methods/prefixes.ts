/** True when `b` is `a` plus one item at the end (successive prefixes of one history in protocol v2). */
export function extendsByOne(a: Int32Array, b: Int32Array): boolean {
  if (b.length !== a.length + 1) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Scores (or any per-support state, e.g. a fold-in's normal equations) of many supports,
 * each either from scratch or, when it extends the previous support by one item, from
 * the previous one plus that item.
 */
export function scorePrefixes<S>(
  supports: readonly Int32Array[],
  fresh: (support: Int32Array) => S,
  extend: (previous: S, item: number) => S,
): S[] {
  const out: S[] = [];
  supports.forEach((s, k) => {
    const prev = k > 0 ? supports[k - 1]! : null;
    out.push(prev && extendsByOne(prev, s) ? extend(out[k - 1]!, s[s.length - 1]!) : fresh(s));
  });
  return out;
}
