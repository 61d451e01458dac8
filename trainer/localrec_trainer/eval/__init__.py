"""What training borrows from the benchmark: ranking metrics and implicit ALS (src/eval)."""
