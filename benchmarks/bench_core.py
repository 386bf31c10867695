"""Benchmark scratchnet's core passes against PyTorch on the CPU: prints times and ratios.

    .venv/bin/python benchmarks/bench_core.py            # (make bench)

A benchmark, not a test: it asserts nothing, because timings depend on the machine. It times a
forward and backward pass of a small MLP block, Dense(784, 256) -> ReLU -> Dense(256, 10) ->
softmax cross-entropy, on float32 batches, best of several repeats, with both libraries limited
to the same number of threads. Without torch it prints scratchnet's figures alone.
"""

from __future__ import annotations

import os
import timeit

THREADS = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(var, str(THREADS))  # numpy's BLAS gets as many threads as torch

import numpy as np  # noqa: E402

import scratchnet as sn  # noqa: E402


def best(fn, number=20, repeat=7):
    fn()  # warm up
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def scratchnet_step(batch):
    rng = np.random.default_rng(0)
    layers = [sn.Dense(784, 256, rng=rng), sn.ReLU(), sn.Dense(256, 10, rng=rng)]
    loss = sn.SoftmaxCrossEntropy()
    x = rng.normal(size=(batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, size=batch)

    def step():
        h = x
        for layer in layers:
            h = layer.forward(h)
        loss.forward(h, y)
        g = loss.backward()
        for layer in reversed(layers):
            g = layer.backward(g)
    return step


def torch_step(batch):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step():
        model.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
    return step


def main():
    try:
        import torch
        torch.set_num_threads(THREADS)
    except ImportError:
        torch = None
    print(f"threads: {THREADS}; numpy {np.__version__}" + (f", torch {torch.__version__}" if torch else ", torch not installed"))
    print(f"{'batch':>6} {'scratchnet ms':>14} {'torch ms':>10} {'scratchnet/torch':>17}")
    for batch in (32, 128, 512):
        ours = best(scratchnet_step(batch))
        if torch:
            theirs = best(torch_step(batch))
            print(f"{batch:>6} {ours * 1e3:>14.3f} {theirs * 1e3:>10.3f} {ours / theirs:>17.2f}")
        else:
            print(f"{batch:>6} {ours * 1e3:>14.3f} {'-':>10} {'-':>17}")


if __name__ == "__main__":
    main()
