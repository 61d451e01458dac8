"""pytest setup: the package is imported from trainer/ (as torchrun runs it with PYTHONPATH=trainer)."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
torch.set_num_threads(1)
