"""Benchmark peer: the seed networks in PyTorch DistributedDataParallel (gloo backend, CPU), N
processes of --threads threads each, the same per-rank batch as tfc's ranks. Each step every rank
takes its own share of a batch of N x batch examples (rank r the r-th share, as tfc's ranks do),
DDP averages the gradients in its buckets while the backward pass runs, and the optimizer steps.
Rank 0 prints the lines of common.py with examples counted over all ranks:

    PyTorch DDP <version> (gloo): <model>, batch <n> x <ranks> ranks, <threads> threads each
    loss: <first> -> <last>
    train: <steps> steps, <examples> examples in <secs> s, <rate> examples/s

Run by bench/run --ranks N.
"""
import argparse
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

import common
import torch_mnist


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(rank, args, port):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # the same initial weights everywhere (DDP also broadcasts rank 0's)
    batch = common.BATCH[args.model]
    total = args.warmup + args.steps
    train = common.TrainSet(common.find_data_dir(args.data_dir), batch * args.ranks, total, args.seed)
    ddp = DistributedDataParallel(Loss({"mlp": torch_mnist.Mlp, "cnn": torch_mnist.Cnn}[args.model]()))
    if args.model == "mlp":
        opt = torch.optim.SGD(ddp.parameters(), lr=0.5)
        targets = torch.from_numpy(train.one_hot)
    else:
        opt = torch.optim.Adam(ddp.parameters(), lr=1e-4)
        targets = torch.from_numpy(train.labels)
    images = torch.from_numpy(train.images)
    shares = torch.from_numpy(train.batches[:, rank * batch:(rank + 1) * batch].copy())

    def step(i, want_loss):
        rows = shares[i]
        loss = ddp(images[rows], targets[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item() if want_loss else None

    if rank == 0:
        print(f"PyTorch DDP {torch.__version__} (gloo): {args.model}, batch {batch} x {args.ranks} ranks, "
              f"{args.threads} threads each", flush=True)
    first = step(0, True) if args.warmup else None
    for i in range(1, args.warmup):
        step(i, False)
    dist.barrier()
    start = time.perf_counter()
    for i in range(args.warmup, total):
        loss = step(i, i == total - 1 or first is None)
        first = loss if first is None else first
    dist.barrier()
    secs = time.perf_counter() - start
    if rank == 0:
        examples = args.steps * batch * args.ranks
        print(f"loss: {first:.4f} -> {loss:.4f}")
        print(f"train: {args.steps} steps, {examples} examples in {secs:.3f} s, {examples / secs:.1f} examples/s",
              flush=True)
    dist.destroy_process_group()


class Loss(torch.nn.Module):
    """A seed network whose forward is its loss: DDP wraps forward, and its gradient hooks then see
    every step."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, y):
        return self.net.loss(x, y)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="Train a seed network in PyTorch DDP on N processes and time it.")
    p.add_argument("--model", choices=sorted(common.BATCH), default="mlp")
    p.add_argument("--steps", type=int)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=1, help="threads per process (default 1)")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir")
    args = p.parse_args()
    if args.steps is None:
        args.steps = common.DEFAULT_STEPS[args.model]
    if args.steps < 1 or args.warmup < 0 or args.threads < 1 or args.ranks < 1:
        p.error("--steps, --threads and --ranks must be positive, --warmup not negative")
    mp.spawn(worker, args=(args, free_port()), nprocs=args.ranks, join=True)
