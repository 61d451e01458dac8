"""The model: parameters, scoring, losses, inner loop and meta-objectives (src/core)."""
