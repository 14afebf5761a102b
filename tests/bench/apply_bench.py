#!/usr/bin/env python3
"""The one-shot and throttled rows of docs/PERFORMANCE.md: `wsctl apply`
with its default flags against provider-sim on loopback.

  apply      N workspaces split across Paradigm, Cadenya and Aether, in the
             convergence setup of run_bench.py (50 ms added to every
             answer, 100 requests/s per provider, 429 beyond; rateLimit.qps
             100) at a given ProviderConfig burst; wall time of `wsctl apply`
             from start to exit against the bound N / 300 per second. Rows
             at 200 ms of latency show the default --workers keeping the
             buckets busy.
  throttled  600 Paradigm workspaces, ProviderConfig at qps 100 (burst 10),
             the server allowing 20 requests/s: the rate the server's limit
             was used at (2xx answers per second of the apply) and the share
             of requests answered 429.

  tests/bench/apply_bench.py --bin build-release
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import workload  # noqa: E402


class Sim:
    def __init__(self, bin_dir, work, latency_ms, rate):
        self.process, self.endpoints = workload.start_sim(bin_dir, work, latency_ms, rate)

    def outcomes(self):
        """Answers by outcome ("201", "429", ...) over every provider and operation."""
        total = {}
        for outcomes in workload.sim_calls(self.endpoints).values():
            for outcome, count in outcomes.items():
                total[outcome] = total.get(outcome, 0) + count
        return total

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run_apply(bin_dir, work, world):
    source = os.path.join(work, "manifests")
    world.write(source)
    argv = [os.path.join(bin_dir, "cmd/wsctl/wsctl"), "apply", "-f", source,
            "--state", os.path.join(work, "state.db"), "--instance-id", "bench", "--timeout", "30m"]
    env = dict(os.environ, SIM_TOKEN="bench-token")
    started = time.time()
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.time() - started
    if result.returncode != 0:
        raise SystemExit(f"wsctl apply exited {result.returncode}: {result.stderr[-2000:]}")
    return seconds, result.stdout.strip().splitlines()[-1]


def apply_row(bin_dir, n, burst, latency_ms, keep):
    work = tempfile.mkdtemp(prefix=f"wsop-apply-{n}-{burst}-")
    sim = Sim(bin_dir, work, latency_ms, 100)
    try:
        world = workload.World(n, sim.endpoints, qps=100, request_timeout="10s", burst=burst)
        seconds, summary = run_apply(bin_dir, work, world)
        outcomes = sim.outcomes()
        bound = n / 300
        return {"row": "apply", "n": n, "burst": burst, "latency_ms": latency_ms,
                "apply_s": round(seconds, 2), "bound_s": round(bound, 2),
                "ratio": round(seconds / bound, 3), "answers_429": outcomes.get("429", 0),
                "summary": summary}
    finally:
        sim.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def throttled_row(bin_dir, n, server_rate, keep):
    work = tempfile.mkdtemp(prefix=f"wsop-throttled-{n}-")
    sim = Sim(bin_dir, work, 50, server_rate)
    try:
        world = workload.World(n, sim.endpoints, qps=100, request_timeout="10s", burst=10,
                               providers=("paradigm",))
        seconds, summary = run_apply(bin_dir, work, world)
        outcomes = sim.outcomes()
        answered = sum(outcomes.values())
        ok = sum(c for o, c in outcomes.items() if o.startswith("2"))
        throttled = outcomes.get("429", 0)
        return {"row": "throttled", "n": n, "server_rps": server_rate, "apply_s": round(seconds, 2),
                "ok_per_s": round(ok / seconds, 2),
                "share_of_limit": round(ok / seconds / server_rate, 3),
                "requests": answered, "answers_429": throttled,
                "share_429": round(throttled / answered, 3), "summary": summary}
    finally:
        sim.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def table(rows):
    lines = ["| row | N | burst | latency ms | apply s | bound s | ratio | 429 answers |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["row"] == "apply":
            lines.append(f"| apply | {r['n']:,} | {r['burst']} | {r['latency_ms']} | {r['apply_s']} | "
                         f"{r['bound_s']} | {r['ratio']} | {r['answers_429']} |")
    lines += ["", "| row | N | server limit rps | apply s | 2xx per s | share of the limit | "
              "requests | 429 answers | 429 share |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r["row"] == "throttled":
            lines.append(f"| throttled | {r['n']} | {r['server_rps']} | {r['apply_s']} | {r['ok_per_s']} | "
                         f"{r['share_of_limit']} | {r['requests']} | {r['answers_429']} | "
                         f"{r['share_429']} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="build-release")
    p.add_argument("--apply-size", type=int, default=10000)
    p.add_argument("--slow-size", type=int, default=3000, help="N of the 200 ms rows; 0 skips them")
    p.add_argument("--throttled-size", type=int, default=600)
    p.add_argument("--only", choices=["apply", "throttled"], help="run one kind of row")
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    bin_dir = os.path.abspath(args.bin)
    rows = []

    def emit(row):
        rows.append(row)
        print(json.dumps(row), flush=True)

    if args.only in (None, "apply"):
        for burst in (10, 100):
            emit(apply_row(bin_dir, args.apply_size, burst, 50, args.keep))
        if args.slow_size:
            for burst in (10, 100):
                emit(apply_row(bin_dir, args.slow_size, burst, 200, args.keep))
    if args.only in (None, "throttled"):
        emit(throttled_row(bin_dir, args.throttled_size, 20, args.keep))
    print(table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
