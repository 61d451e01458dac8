"""Training: configuration, tasks, validation episodes, pretraining, the ALS start, the loop (src/train)."""
