"""The PyTorch peer of localrec's click path: same artifact, same adaptation, same ranking.

Reads one JSON request on stdin and writes one JSON answer on stdout:
  {"artifact": dir, "cases": [{"clicks": [...], "negatives": [...]}, ...],
   "top": 20, "warmup": 3}           -> per case: top indices, scores, losses, ms
  {"scoring": {"items": N, "dim": 32, "topk": 100, "reps": R}}   -> ranking alone
The math is the PyTorch trainer's (trainer/localrec_trainer/core: start_users,
inner_step with the closed-form gradient, feedback_loss_and_grad), one visitor as a
batch of one, so the benchmark's peer and the trainer cannot drift apart; this
file only turns a visitor's clicks into feedback (feedbackRows of
src/core/adapt.ts), keeps adapt()'s roll-back rule and ranks.
Run with Debian's python: /usr/bin/python3 bench/reference/peer.py < request.json
"""

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "trainer"))

from localrec_trainer.artifact.decode import load_artifact  # noqa: E402
from localrec_trainer.core.inner import inner_rates, inner_step, start_users  # noqa: E402
from localrec_trainer.core.model import feedback_loss_and_grad, item_table, score_batch  # noqa: E402
from localrec_trainer.core.rows import Feedback, Rows  # noqa: E402
from localrec_trainer.core.neighbours import neighbour_rows  # noqa: E402
from localrec_trainer.core.params import PARAM_NAMES, UNIFORM_DECAY_LOGIT  # noqa: E402
from localrec_trainer.core.ragged import Ragged  # noqa: E402
from localrec_trainer.core.recency import decay_of, recency_weights  # noqa: E402
from localrec_trainer.core.transitions import seq_weights  # noqa: E402

EXPLODED = 10
"""A step whose support loss exceeds this multiple of the start's is rolled back (src/core/adapt.ts)."""


class Peer:
    def __init__(self, directory):
        artifact = load_artifact(directory)
        self.meta = artifact.meta
        w = artifact.weights
        # models from before the item-item term lack its two scalars, and older ones the recency decay and the
        # sequential term: as src/artifact/validate.ts fills them (every click weighs the same; no sequential term)
        missing = {"logitDecay": torch.tensor([UNIFORM_DECAY_LOGIT])}
        self.params = {n: w.get(n, missing.get(n, torch.zeros(1))) for n in PARAM_NAMES}
        self.items = item_table(self.params, artifact.inputs())
        self.neighbours = artifact.neighbours()
        self.transitions = artifact.transitions()
        self.decay = decay_of(float(self.params["logitDecay"][0]))

    def rows(self, items, values):
        n = len(items)
        return Rows(torch.zeros(n, dtype=torch.long), torch.tensor(items, dtype=torch.long), torch.tensor(values, dtype=torch.float32), 1)

    def feedback(self, clicks, negatives, negative_weight):
        """One visitor's feedback (clickSignals, feedbackRows): clicks weigh by recency (normalised), the item-item
        and sequential rows from the shipped lists; shown-not-clicked items share the negative weight."""
        seen = set(clicks)
        shown = [i for i in negatives if i not in seen]
        lists = Ragged.of([np.asarray(clicks, dtype=np.int32)])
        weights, _ = recency_weights(lists, self.decay)
        seq, _ = seq_weights(lists, self.decay)
        return Feedback(
            positives=self.rows(clicks, [float(w) for w in weights]),
            negatives=self.rows(shown, [negative_weight / len(shown)] * len(shown)) if shown and negative_weight > 0 else None,
            count=torch.tensor([[float(len(clicks))]]),
            neighbours=neighbour_rows(self.neighbours, lists, weights=weights) if self.neighbours is not None else None,
            transitions=neighbour_rows(self.transitions, lists, weights=seq) if self.transitions is not None else None,
        )

    def click(self, clicks, negatives, top, steps=None, negative_weight=None):
        """Start from the clicks' prototype, adapt, rank the top items excluding the clicks."""
        steps = self.meta["adaptation"]["steps"] if steps is None else steps
        lam = self.meta["adaptation"]["negativeWeight"] if negative_weight is None else negative_weight
        feedback = self.feedback(clicks, negatives, lam)
        rates = inner_rates(self.params, feedback)
        users = start_users(self.params, self.items, feedback)
        losses = []
        for step in range(steps + 1):
            scores = score_batch(self.items, users)
            step_loss, score_grad = feedback_loss_and_grad(scores, feedback)
            loss = float(step_loss[0])
            if step > 0 and (not math.isfinite(loss) or loss > EXPLODED * max(losses[0], 1)):
                scores = last  # a step that overflowed or exploded: keep the last good parameters
                break
            losses.append(loss)
            last = scores
            if step == steps:
                break
            users = inner_step(self.items, users, feedback, rates, score_grad)
        scores = scores[0].clone()
        scores[torch.tensor(clicks, dtype=torch.long)] = -float("inf")
        values, indices = torch.topk(scores, min(top, len(scores) - len(set(clicks))))
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
