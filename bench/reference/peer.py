"""The PyTorch peer of localrec's click path: same artifact, same adaptation, same ranking.

Reads one JSON request on stdin and writes one JSON answer on stdout:
  {"artifact": dir, "cases": [{"clicks": [...], "negatives": [...]}, ...],
   "top": 20, "warmup": 3}           -> per case: top indices, scores, losses, ms
  {"scoring": {"items": N, "dim": 32, "topk": 100, "reps": R}}   -> ranking alone
The math is src/core (startUsers, innerStep with the closed-form gradient,
feedbackLoss, rank), written as idiomatic PyTorch: the softmax over the whole
catalog is dense, the click and slate terms touch only their items.
Run with Debian's python: /usr/bin/python3 bench/reference/peer.py < request.json
"""

import json
import math
import sys
import time

import torch

from artifact import item_table, load_artifact


class Peer:
    def __init__(self, directory):
        self.meta, w, items = load_artifact(directory)
        self.vectors, self.bias, self.context = item_table(self.meta, w, items)
        self.user_init, self.pop_init = w["userInit"], w["popInit"][0]
        self.proto_scale, self.shrink = w["protoScale"][0], torch.exp(w["logShrink"][0])
        self.lr_user, self.lr_pop = torch.exp(w["logLrUser"]), torch.exp(w["logLrPop"][0])
        # The item-item term (src/core/neighbours.ts), when the artifact ships neighbour lists.
        self.neighbours = w["itemNeighbours"].long() if "itemNeighbours" in w else None
        if self.neighbours is not None:
            self.neighbour_sims = w["itemNeighbourSims"]
            self.knn_init, self.lr_knn = torch.exp(w["logKnnInit"][0]), torch.exp(w["logLrKnn"][0])
        # The order-aware model (src/core/recency.ts, transitions.ts): the recency decay, and the
        # sequential term when the artifact ships transition lists. Older models: decay 1, no term.
        logit = float(w["logitDecay"][0]) if "logitDecay" in w else 20.0
        self.decay = float(torch.tensor(1 / (1 + math.exp(-logit)), dtype=torch.float32))
        self.transitions = w["itemTransitions"].long() if "itemTransitions" in w else None
        if self.transitions is not None:
            self.transition_weights = w["itemTransitionWeights"]
            self.seq_init, self.lr_seq = torch.exp(w["logSeqInit"][0]), torch.exp(w["logLrSeq"][0])

    def list_row(self, ids_of, weights_of, clicks, weights):
        """Σ_j weights[j] · list(clicks[j] → i) over every item i (neighbourRow)."""
        row = torch.zeros(len(self.vectors))
        for c, weight in zip(clicks, weights):
            if weight == 0:
                continue
            ids, sims = ids_of[c], weights_of[c]
            keep = ids >= 0
            row.index_add_(0, ids[keep], weight * sims[keep])
        return row

    def recency(self, t):
        """Click j of t weighs decay^(t-1-j), normalised (recencyWeights), as float32."""
        raw = [self.decay ** (t - 1 - j) for j in range(t)]
        return torch.tensor([r / sum(raw) for r in raw], dtype=torch.float32)

    def seq_weights(self, t):
        """decay^k for the k-th most recent of the last 5 clicks, 0 before (seqWeights)."""
        return [self.decay ** (t - 1 - j) if t - 1 - j < 5 else 0.0 for j in range(t)]

    def click(self, clicks, negatives, top, steps=None, negative_weight=None):
        """Start from the clicks' prototype, adapt, rank the top items excluding the clicks."""
        steps = self.meta["adaptation"]["steps"] if steps is None else steps
        lam_weight = self.meta["adaptation"]["negativeWeight"] if negative_weight is None else negative_weight
        clicked = torch.tensor(clicks, dtype=torch.long)
        total = float(len(clicks))
        pos = self.recency(len(clicks)) if clicks else torch.zeros(0)
        seen = set(clicks)
        shown = [i for i in negatives if i not in seen]
        lam = lam_weight if shown else 0.0
        slate = torch.tensor(sorted(seen | set(shown)), dtype=torch.long)
        slate_pos = torch.zeros(len(slate)).index_add_(0, torch.searchsorted(slate, clicked), pos)
        trust = total / (total + self.shrink)
        mass = 1.0 if clicks else 0.0  # the positives' weights sum to 1 (evidence counts the clicks)
        user = self.user_init + self.proto_scale * trust * (pos @ self.context[clicked])
        pop = self.pop_init.clone()
        rate_user, rate_pop = trust * self.lr_user, trust * self.lr_pop
        row = self.list_row(self.neighbours, self.neighbour_sims, clicks, pos.tolist()) if self.neighbours is not None and clicks else None
        knn = self.knn_init * trust if row is not None else None
        seq_row = self.list_row(self.transitions, self.transition_weights, clicks, self.seq_weights(len(clicks))) if self.transitions is not None and clicks else None
        seq = self.seq_init.clone() if seq_row is not None else None  # no evidence factor
        losses = []
        for step in range(steps + 1):
            scores = torch.mv(self.vectors, user) + pop * self.bias
            if row is not None:
                scores = scores + knn * row
            if seq_row is not None:
                scores = scores + seq * seq_row
            log_z = torch.logsumexp(scores, 0)
            slate_log_q = torch.log_softmax(scores[slate], 0)
            loss = -(pos @ (scores[clicked] - log_z)) - lam * (slate_pos @ slate_log_q)
            if step > 0 and not torch.isfinite(loss):
                scores = last  # a step that overflowed: keep the last good parameters
                break
            losses.append(float(loss))
            last = scores
            if step == steps:
                break
            g = torch.exp(scores - log_z) * mass
            g.index_add_(0, clicked, -pos)
            g.index_add_(0, slate, lam * (torch.exp(slate_log_q) * mass - slate_pos))
            user = user - rate_user * (g @ self.vectors)
            pop = pop - rate_pop * (g @ self.bias)
            if row is not None:
                knn = knn - trust * self.lr_knn * (g @ row)
            if seq_row is not None:
                seq = seq - trust * self.lr_seq * (g @ seq_row)
        scores = scores.clone()
        scores[clicked] = -float("inf")
        values, indices = torch.topk(scores, min(top, len(scores) - len(seen)))
        return {"indices": indices.tolist(), "scores": values.tolist(), "losses": losses}


def run_cases(request):
    peer = Peer(request["artifact"])
    top, cases = request.get("top", 20), request["cases"]
    for case in cases[: request.get("warmup", 3)]:
        peer.click(case["clicks"], case.get("negatives", []), top)
    results = []
    for case in cases:
        t0 = time.perf_counter()
        out = peer.click(case["clicks"], case.get("negatives", []), top, request.get("steps"))
        out["ms"] = (time.perf_counter() - t0) * 1000
        results.append(out)
    return {"results": results}


def run_scoring(spec):
    """Top `topk` of `items` random item vectors: one matrix-vector product and a partial selection."""
    gen = torch.Generator().manual_seed(1)
    vectors = torch.randn(spec["items"], spec["dim"], generator=gen)
    bias, user = torch.randn(spec["items"], generator=gen), torch.randn(spec["dim"], generator=gen)
    times = []
    for rep in range(spec["reps"] + 2):
        t0 = time.perf_counter()
        values, indices = torch.topk(torch.mv(vectors, user) + 0.5 * bias, spec["topk"])
        indices.tolist()
        if rep >= 2:
            times.append((time.perf_counter() - t0) * 1000)
    return {"ms": times}


def main():
    request = json.load(sys.stdin)
    torch.set_grad_enabled(False)
    answer = run_scoring(request["scoring"]) if "scoring" in request else run_cases(request)
    answer["torch"] = torch.__version__
    answer["threads"] = torch.get_num_threads()
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
