"""One epoch of training, scratchnet against PyTorch on the CPU: prints times, ratios and the
fraction of the float32 GEMM roofline reached.

    .venv/bin/python benchmarks/bench_fit.py            # (make bench)
    BENCH_REPEATS=5 .venv/bin/python benchmarks/bench_fit.py

A benchmark, not a test: it asserts nothing, because timings depend on the machine.

What it times: a 784-128-10 ReLU MLP, softmax cross-entropy, Adam (the defaults of both libraries:
lr 1e-3, betas (0.9, 0.999), eps 1e-8), float32, one epoch over 60,000 synthetic samples at batch
sizes 32, 128 and 512, through each library's public API: scratchnet's `Sequential`, `compile`
and `fit(..., shuffle=False, verbose=0)`; PyTorch's `nn.Sequential`, `torch.optim.Adam` and the
usual loop over slices of a tensor. Each measurement runs in its own process (numpy's and torch's
thread pools fight when they share one), alternating between the libraries, and the best of
BENCH_REPEATS (default 3) is kept. Both get the same number of threads (BENCH_THREADS, default the
number of cores). The inputs are N(0, 1): uniform [0, 1) inputs with random labels kill the ReLUs
and fill Adam's state with denormals, which slows both libraries 4-5x.

The roofline: the epoch's exact count of floating-point operations in its matrix products (the
forward pass of both layers, the weight gradients of both, and the input gradient of the second;
the first layer's input gradient is not computed by either library), divided by the epoch's time,
as a fraction of the float32 GEMM rate measured in the same run on the first layer's product (in
a child process with the same threads, best of 50). It is printed for both libraries, and for the
epoch's five matrix products alone, run on the batches as they come from memory: the fraction no
library can pass with this BLAS, since each batch is read from memory, not from the cache.

It also prints the medians next to the best times (the spread shows how much of a ratio is
noise), and the time of fit's one pass over the data before training, which scratchnet pays once
per call of fit and PyTorch's loop does not do.
Without torch it prints scratchnet's figures alone.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

N, D, H, C = 60_000, 784, 128, 10
BATCHES = (32, 128, 512)
THREADS = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))


def _data():
    import numpy as np
    rng = np.random.default_rng(0)
    return rng.normal(size=(N, D)).astype(np.float32), rng.integers(0, C, N)


def run_scratchnet(batch: int) -> float:
    import scratchnet as sn
    x, y = _data()
    model = sn.Sequential([sn.Dense(D, H, rng=0), sn.ReLU(), sn.Dense(H, C, rng=1)])
    model.compile(loss=sn.SoftmaxCrossEntropy(), optimizer=sn.Adam())
    model.fit(x[:2048], y[:2048], epochs=1, batch_size=batch, shuffle=False, verbose=0)  # warm up
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=batch, shuffle=False, verbose=0)
    return time.perf_counter() - start


def data_check(_batch: int) -> float:
    """The time of fit's one pass over the data before training (x and y checked for NaN, inf and
    range), which every call of fit pays once, whatever its number of epochs (best of 3)."""
    import numpy as np
    from scratchnet.model import _check_data
    x, y = _data()
    _check_data("fit", x, y, np.dtype(np.float32))
    return min(_time(lambda: _check_data("fit", x, y, np.dtype(np.float32))) for _ in range(3))


def run_torch(batch: int) -> float:
    import torch
    torch.set_num_threads(THREADS)
    x, y = _data()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, C))
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch(n):
        for i in range(0, n, batch):
            optimizer.zero_grad()
            loss = loss_fn(model(X[i:i + batch]), Y[i:i + batch])
            loss.backward()
            optimizer.step()
    epoch(2048)  # warm up
    start = time.perf_counter()
    epoch(N)
    return time.perf_counter() - start


def gemm_rate() -> float:
    """float32 GEMM operations per second on the first layer's product at batch 512 (best of 50)."""
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.normal(size=(512, D)).astype(np.float32)
    b = rng.normal(size=(D, H)).astype(np.float32)
    a @ b
    best = min(_time(lambda: a @ b) for _ in range(50))
    return 2 * 512 * D * H / best


def products_alone(batch: int) -> float:
    """The epoch's matrix products alone, nothing else: each batch's five products, in the order
    and shapes of the MLP's training step, on the batches as they come from memory (best of 3).
    No library can train the epoch faster than this with these products and this BLAS."""
    import numpy as np
    x, _ = _data()
    rng = np.random.default_rng(1)
    w1 = rng.normal(size=(D, H)).astype(np.float32)
    w2 = rng.normal(size=(H, C)).astype(np.float32)
    g2 = rng.normal(size=(batch, C)).astype(np.float32)
    g1 = rng.normal(size=(batch, H)).astype(np.float32)

    def epoch():
        for i in range(0, N, batch):
            xb = x[i:i + batch]
            n = len(xb)          # the last batch is shorter
            h = xb @ w1          # forward, layer 1
            h @ w2               # forward, layer 2
            h.T @ g2[:n]         # dW2
            g2[:n] @ w2.T        # dX of layer 2
            xb.T @ g1[:n]        # dW1
    epoch()
    return min(_time(epoch) for _ in range(3))


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def epoch_flops() -> int:
    """Matrix-product operations in one epoch (any batch size: they scale with the samples)."""
    forward = 2 * N * D * H + 2 * N * H * C
    backward = 2 * N * D * H + 2 * N * H * C + 2 * N * C * H   # dW1, dW2, dX of layer 2
    return forward + backward


def measure(library: str, batch: int) -> float | None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(THREADS), "OMP_NUM_THREADS": str(THREADS),
           "MKL_NUM_THREADS": str(THREADS)}
    out = subprocess.run([sys.executable, __file__, library, str(batch)], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0:
        if library == "torch" and "No module named 'torch'" in out.stderr:
            return None
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    print(f"{THREADS} threads, best of {REPEATS}; numpy {np.__version__}"
          + (f", torch {torch.__version__}" if have_torch else ", torch not installed"))
    print(f"{'batch':>5}  {'scratchnet':>10}  {'PyTorch':>8}  {'ratio':>5}   "
          f"medians: {'scratchnet':>10}  {'PyTorch':>8}  {'ratio':>5}")
    best = {}
    for batch in BATCHES:
        times = {"scratchnet": [], "torch": []}
        for _ in range(REPEATS):
            times["scratchnet"].append(measure("scratchnet", batch))
            if have_torch:
                times["torch"].append(measure("torch", batch))
        s, s_mid = min(times["scratchnet"]), statistics.median(times["scratchnet"])
        best[batch] = s
        line = f"{batch:5d}  {s:9.3f}s"
        if have_torch:
            t, t_mid = min(times["torch"]), statistics.median(times["torch"])
            best[batch, "torch"] = t
            line += f"  {t:7.3f}s  {s / t:5.2f}            {s_mid:9.3f}s  {t_mid:7.3f}s  {s_mid / t_mid:5.2f}"
        print(line, flush=True)
    check = min(measure("check", 512) for _ in range(REPEATS))
    print(f"Each scratchnet time includes fit's one pass over the data before training (NaN and "
          f"range checks, paid once per call of fit): {check * 1e3:.1f} ms.")
    # the roofline: matrix-product operations over the epoch's time, against the GEMM rate
    rate = measure("gemm", 512)  # in children too, with the same threads as the epochs
    products = min(measure("products", 512) for _ in range(REPEATS))
    flops = epoch_flops()
    print(f"float32 GEMM rate measured: {rate / 1e9:.1f} GFLOP/s. Fraction of it reached at batch "
          "512, over the whole epoch:")
    print(f"  scratchnet  {flops / best[512] / 1e9:6.1f} GFLOP/s  {flops / best[512] / rate:4.0%}")
    if have_torch:
        reached = flops / best[512, "torch"]
        print(f"  PyTorch     {reached / 1e9:6.1f} GFLOP/s  {reached / rate:4.0%}")
    print(f"  the five matrix products alone, on the batches as they come from memory (the ceiling "
          f"for any library using this BLAS): {products * 1e3:.0f} ms, {flops / products / 1e9:.1f} "
          f"GFLOP/s, {flops / products / rate:.0%}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        runner = {"scratchnet": run_scratchnet, "torch": run_torch, "gemm": lambda _: gemm_rate(),
                  "products": products_alone, "check": data_check}
        print(json.dumps(runner[sys.argv[1]](int(sys.argv[2]))))
    else:
        main()
