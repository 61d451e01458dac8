"""Rankings and nDCG (eval/metrics.py) as src/eval/metrics.ts computes them."""

import math

import numpy as np
import torch

from localrec_trainer.eval.metrics import ndcg_at_10, top_n


def test_top_n_breaks_ties_in_catalog_order_skips_exclusions_and_ranks_nan_last():
    scores = torch.tensor([[0.5, 0.9, 0.5, float("nan"), 0.9, 0.1, 0.5]])
    excluded = torch.tensor([[False, False, False, False, True, False, False]])
    assert top_n(scores, 5, excluded).tolist() == [[1, 0, 2, 6, 5]]
    assert top_n(scores, 7, excluded).tolist() == [[1, 0, 2, 6, 5, 3, -1]]  # NaN last, excluded item absent


def test_top_n_over_many_rows_equals_a_stable_sort():
    rng = np.random.default_rng(5)
    scores = torch.from_numpy(rng.integers(0, 6, size=(9, 40)).astype(np.float32))  # many ties
    excluded = torch.from_numpy(rng.random((9, 40)) < 0.2)
    got = top_n(scores, 20, excluded)
    for r in range(9):
        order = [i for i in sorted(range(40), key=lambda i: (-scores[r, i].item(), i)) if not excluded[r, i]][:20]
        assert got[r].tolist() == order


def test_ndcg_at_10_counts_min_query_10_ideal_hits():
    ranked = torch.tensor([[3, 1, 4, 0, 2, 5, 6, 7, 8, 9, 10]])
    relevant = torch.zeros(1, 12, dtype=torch.bool)
    relevant[0, [1, 2, 11]] = True
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_10(ranked, relevant, np.array([3]))[0] == dcg / ideal
