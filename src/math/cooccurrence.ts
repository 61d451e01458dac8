import { transpose, userItemMatrix, type Csr } from './sparse';

/**
 * Co-occurrence counts of users' positives: for an item j, every item i that
 * some user has together with j, and |U_i ∩ U_j|. One row of the sparse
 * product XᵀX at a time: the users of j, then their items. The protocol's
 * ItemKNN baseline and the model's neighbour lists both read it; the counts
 * are integers, so whatever float type a caller keeps them in, it adds the
 * same numbers.
 */
export interface Cooccurrence {
  /** |U_i|: users with item i among their positives. */
  readonly counts: Float64Array;
  /**
   * The items sharing a user with `j` (j itself included) in first-touch order,
   * and `both[i]` = |U_i ∩ U_j| for each of them (0 elsewhere). Both views are
   * reused: they are valid until the next call.
   */
  row(j: number): { readonly items: Int32Array; readonly both: Float64Array };
}

/** The co-occurrence index of users' positives (catalog indices; a repeat within a user counts once). */
export function cooccurrence(users: readonly ArrayLike<number>[], items: number): Cooccurrence {
  const userItems: Csr = userItemMatrix(users.map((u) => Int32Array.from(new Set(Array.from(u)))));
  const itemUsers = transpose(userItems, items);
  const counts = Float64Array.from({ length: items }, (_, i) => itemUsers.ptr[i + 1]! - itemUsers.ptr[i]!);
  const both = new Float64Array(items);
  const touched = new Int32Array(items);
  let last = 0;
  return {
    counts,
    row(j) {
      for (let t = 0; t < last; t++) both[touched[t]!] = 0;
      last = 0;
      for (let p = itemUsers.ptr[j]!; p < itemUsers.ptr[j + 1]!; p++) {
        const u = itemUsers.cols[p]!;
        for (let q = userItems.ptr[u]!; q < userItems.ptr[u + 1]!; q++) {
          const i = userItems.cols[q]!;
          if (both[i] === 0) touched[last++] = i;
          both[i]!++;
        }
      }
      return { items: touched.subarray(0, last), both };
    },
  };
}
