"""The validation objective a training run chooses by: its checkpoints, its start, its head (src/train/validate.ts).

'v1': mean nDCG@10 over the shot counts; 'v2': mean HR@10 of the next click;
'both': their mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from ..core.model import ItemInputs
from ..core.params import Params
from ..core.ragged import Ragged
from .episodes import ItemLists, Reduce, episode_ndcg, prequential_hr


@dataclass(frozen=True)
class Validation:
    """A validation score and its parts: by_k, v1's nDCG@10 per k; next, v2's HR@10 of the next click."""

    mean: float
    by_k: dict[int, float]
    next: Optional[float] = None


def validate(
    params: Params,
    inputs: ItemInputs,
    users: Ragged,
    objective: str,
    ks: Sequence[int],
    steps: int,
    lists: ItemLists = ItemLists(),
    share: tuple[int, int] = (0, 1),
    reduce: Reduce = lambda t: t,
) -> Validation:
    """The objective the config names, on this process's share of the users, summed over the processes."""
    v1 = None if objective == "v2" else episode_ndcg(params, inputs, users, ks, steps, lists, share, reduce)
    nxt = None if objective == "v1" else prequential_hr(params, inputs, users, steps, lists, share, reduce)
    if v1 is None:
        assert nxt is not None
        return Validation(nxt, {}, nxt)
    if nxt is None:
        return Validation(v1[0], v1[1])
    return Validation((v1[0] + nxt) / 2, v1[1], nxt)
