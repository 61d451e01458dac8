"""localrec's distributed trainer: the model of src/core and the training of src/train in PyTorch.

The package mirrors the TypeScript tree by name (core/model.py ↔ src/core/model.ts,
train/trainer.py ↔ src/train/trainer.ts, ...), so the two can be read side by
side. The math is plain functions of tensors; the DDP wiring (process group,
sampler, rank-0 I/O, checkpoints) lives in distributed/ alone.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
