"""The DDP wiring, and only it: process group, sampler over users, rank-0 I/O, checkpoints.

world.py: the process group and the collectives (DDP's gradient averaging, the ranks' agreement);
sampler.py: each process's share of a global batch of users; run.py: the time budget and progress;
checkpoint.py: save and resume; main.py: the command every process runs.

Shaped like PyTorch's own DDP examples (setup → DDP(model) → DistributedSampler →
train → save on rank 0 → cleanup). Under `torchrun` every process trains on its
share of each global batch of users; DistributedDataParallel averages the
gradients, and the losses are scaled so that the average is the gradient of the
whole global batch: N processes give the parameters of one process with the
same global batch (up to float summation order). Without torchrun's
environment it runs as one plain process, no process group.

gloo on CPU; nccl and one GPU per process when CUDA is available.
"""
