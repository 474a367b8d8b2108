"""What data-parallel training would reach on N machines: a ring-allreduce (alpha-beta) model fed
with figures measured on this machine.

A ring allreduce of n bytes over p ranks sends 2(p-1) messages of n/p bytes from each rank:
    T(p, n) = 2 (p - 1) alpha + 2 (p - 1) / p * n / beta
(alpha: per-message latency, beta: link bandwidth in bytes/s). Without overlap a step takes
t_compute(b) + T, where the compute time of a per-rank batch b is taken as linear in b,
    t_compute(b) = t_fixed + b * t_example,
from two measured batch sizes. Efficiency = t_compute / (t_compute + T): the share of N times one
machine's examples/s that N machines reach; were the allreduce hidden entirely behind the backward
pass, a step would take max(t_compute, T) instead (the "full overlap" bound). The smallest per-rank batch with efficiency >= 90% is
the one with t_compute(b) >= 9 T.

    python3 bench/scaling_model.py --model cnn --grad-mb 13.10 --step-ms 50:14.2 --step-ms 100:27.5
"""
import argparse

NETWORKS = {"10 Gb/s": (25e-6, 10e9 / 8), "100 Gb/s": (5e-6, 100e9 / 8)}  # latency, bytes/s


def allreduce(p, nbytes, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * nbytes / beta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--grad-mb", type=float, required=True, help="gradient megabytes per step")
    ap.add_argument("--step-ms", action="append", required=True,
                    help="BATCH:MS, a measured one-rank step time (give two batch sizes)")
    ap.add_argument("--batch", type=int, required=True, help="the per-rank batch of the table")
    args = ap.parse_args()
    pts = sorted((int(b), float(ms) / 1e3) for b, ms in (s.split(":") for s in args.step_ms))
    if len(pts) < 2:
        ap.error("give --step-ms for two batch sizes")
    (b1, t1), (b2, t2) = pts[0], pts[-1]
    per_example = (t2 - t1) / (b2 - b1)
    fixed = t1 - b1 * per_example
    compute = lambda b: fixed + b * per_example
    nbytes = args.grad_mb * 1e6
    print(f"{args.model}: {args.grad_mb:.2f} MB of gradients per step; one rank's step "
          f"{1e3 * fixed:.2f} ms + {1e3 * per_example:.3f} ms per example "
          f"({1e3 * compute(args.batch):.2f} ms at batch {args.batch})")
    for net, (alpha, beta) in NETWORKS.items():
        print(f"\n{net} (latency {alpha * 1e6:.0f} us, {beta / 1e9:.2f} GB/s), batch {args.batch} per rank, no overlap unless said:")
        print("| machines | allreduce ms | step ms | efficiency | examples/s | full-overlap bound | batch per rank for 90% |")
        print("|---|---|---|---|---|---|---|")
        for p in (2, 4, 8, 16, 32, 64):
            t = allreduce(p, nbytes, alpha, beta)
            c = compute(args.batch)
            eff = c / (c + t)
            rate = p * args.batch / (c + t)
            # smallest b with compute(b) >= 9 t
            need = max(1, -(-(9 * t - fixed) // per_example)) if per_example > 0 else float("inf")
            bound = c / max(c, t)
            print(f"| {p} | {1e3 * t:.2f} | {1e3 * (c + t):.2f} | {100 * eff:.0f}% | {rate:,.0f} | {100 * bound:.0f}% "
                  f"| {int(need)} |")


if __name__ == "__main__":
    main()
