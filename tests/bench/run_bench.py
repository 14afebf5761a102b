#!/usr/bin/env python3
"""The benchmarks of docs/PERFORMANCE.md, against provider-sim on loopback.

For each size N (workspaces split across Paradigm, Cadenya and Aether):
  convergence  provider-sim adds 50 ms to every answer and limits each
               provider to 100 requests/s (429 beyond); each ProviderConfig's
               rateLimit.qps is 100. Wall time from the controller's start to
               all Ready, and its ratio to the bound N / 300 per second.
  resync       after convergence, one resync forced with SIGHUP: provider
               calls by kind (the simulators' counters), writes among them,
               and the controller's CPU seconds for it.
  memory       the controller's peak RSS (VmHWM) after convergence and after
               the resync.
  plan         `wsctl diff --refresh=false` of the N manifests against the
               warm state store, versus yaml-cpp alone parsing the same files.
Rows are printed as a Markdown table, ready for docs/PERFORMANCE.md.

  tests/bench/run_bench.py --bin build-release --sizes 1000,10000
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import workload  # noqa: E402

RATE = 100  # requests/s per provider, server limit and client qps alike
LATENCY_MS = 50
WRITES = ("create", "update", "delete", "archive", "start", "stop")


def fetch(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def metric_sum(text, name, labels=None):
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if labels and not all(f'{k}="{v}"' in head for k, v in labels.items()):
            continue
        total += float(value)
    return total


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # MiB
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, bin_dir, n, work, workers=64):
        self.workers = workers
        self.bin = os.path.abspath(bin_dir)
        self.n = n
        self.work = work
        self.processes = []

    def start_sim(self):
        self.sim, self.endpoints = workload.start_sim(self.bin, self.work, LATENCY_MS, RATE)
        self.processes.append(self.sim)

    def sim_calls(self):
        return workload.sim_calls(self.endpoints)

    def start_controller(self):
        self.port = workload.free_port()
        argv = [os.path.join(self.bin, "cmd/wsctl/wsctl"), "controller", "--source", self.source,
                "--state", os.path.join(self.work, "state.db"), "--metrics-addr",
                f"127.0.0.1:{self.port}", "--resync", "1h", "--workers", str(self.workers),
                "--instance-id", "bench", "--log-level", "warn"]
        env = dict(os.environ, SIM_TOKEN="bench-token")
        self.controller = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                           stderr=open(os.path.join(self.work, "controller.log"), "wb"))
        self.processes.append(self.controller)

    def metrics(self):
        return fetch(f"http://127.0.0.1:{self.port}/metrics")

    def ready_count(self, text):
        return metric_sum(text, "workspace_operator_workspaces", {"ready": "True"})

    def note_ready_by_provider(self, text, elapsed):
        """When each ProviderConfig's workspaces were first all Ready, to see
        which provider sets the tail."""
        ready = {}
        for line in text.splitlines():
            if line.startswith("workspace_operator_workspaces{") and 'ready="True"' in line:
                provider = line.split('provider="', 1)[1].split('"', 1)[0]
                ready[provider] = ready.get(provider, 0) + float(line.rpartition(" ")[2])
        for provider, count in ready.items():
            key = f"ready_{provider}_s"
            if count >= self.per_config.get(provider, self.n) and key not in self.timeline:
                self.timeline[key] = round(elapsed, 2)

    def creates_answered(self):
        return sum(c for op, outcomes in self.sim_calls().items() if op == "create"
                   for outcome, c in outcomes.items() if outcome.startswith("2"))

    def converge(self, timeout):
        """Seconds to all Ready; also when the first and the last create were
        answered (self.timeline), to tell start-up and provisioning apart."""
        started = time.time()
        self.timeline = {}
        self.start_controller()
        while time.time() - started < timeout:
            time.sleep(0.1)
            creates = self.creates_answered()
            if creates and "first_create_s" not in self.timeline:
                self.timeline["first_create_s"] = round(time.time() - started, 2)
            if creates >= self.n and "last_create_s" not in self.timeline:
                self.timeline["last_create_s"] = round(time.time() - started, 2)
            try:
                text = self.metrics()
            except OSError:
                continue  # still starting
            with open(os.path.join(self.work, "controller.log"), errors="replace") as log:
                rejected = "source revision is invalid" in log.read()
            if rejected:
                raise SystemExit(f"the controller rejected the manifests; see {self.work}/controller.log")
            self.note_ready_by_provider(text, time.time() - started)
            if "last_create_s" in self.timeline and "ready_at_last_create" not in self.timeline:
                self.timeline["ready_at_last_create"] = int(self.ready_count(text))
            if self.ready_count(text) >= self.n:
                return time.time() - started
        raise SystemExit(f"not converged after {timeout} s; see {self.work}")

    def resync(self, timeout=600):
        before_calls = self.sim_calls()
        before_cpu = cpu_seconds(self.controller.pid)
        reconciles = metric_sum(self.metrics(), "controller_runtime_reconcile_total")
        started = time.time()
        self.controller.send_signal(signal.SIGHUP)
        while time.time() - started < timeout:
            time.sleep(0.05)
            text = self.metrics()
            done = metric_sum(text, "controller_runtime_reconcile_total") - reconciles
            if done >= self.n and metric_sum(text, "workqueue_depth") == 0 and \
                    metric_sum(text, "controller_runtime_active_workers") == 0:
                break
        seconds = time.time() - started
        cpu = cpu_seconds(self.controller.pid) - before_cpu
        after = self.sim_calls()
        delta = {}
        for op, outcomes in after.items():
            n = sum(outcomes.values()) - sum(before_calls.get(op, {}).values())
            if n:
                delta[op] = n
        return {"resync_seconds": round(seconds, 2), "resync_cpu_s": round(cpu, 2),
                "resync_calls": delta, "resync_writes": sum(delta.get(op, 0) for op in WRITES)}

    def plan_speed(self, runs=7):
        """`runs` pairs, each a diff then yaml-cpp alone right after it; the
        ratio is the median of the pairs' ratios, so a slow spell of a noisy
        VM, which slows both of a pair, does not decide it."""
        wsctl = os.path.join(self.bin, "cmd/wsctl/wsctl")
        env = dict(os.environ, SIM_TOKEN="bench-token")
        diff_times, yaml_times, inner = [], [], []
        for _ in range(runs):
            started = time.time()
            result = subprocess.run([wsctl, "diff", "-f", self.source, "--state",
                                     os.path.join(self.work, "state.db"), "--refresh=false",
                                     "--instance-id", "bench"], env=env, capture_output=True, text=True)
            diff_times.append(time.time() - started)
            if result.returncode != 0:
                raise SystemExit(f"wsctl diff exited {result.returncode}: {result.stderr[-2000:]}")
            started = time.time()
            parsed = subprocess.run([os.path.join(self.bin, "tests/bench/yaml_parse_bench"), self.source],
                                    capture_output=True, text=True, check=True)
            yaml_times.append(time.time() - started)
            inner.append(json.loads(parsed.stdout)["seconds"])
        diff_s, yaml_s = statistics.median(diff_times), statistics.median(yaml_times)
        ratios = [d / y for d, y in zip(diff_times, yaml_times)]
        return {"diff_s": round(diff_s, 3), "yaml_s": round(yaml_s, 3),
                "yaml_inner_s": round(statistics.median(inner), 3),
                "plan_ratio": round(statistics.median(ratios), 2),
                "plan_ratio_range": [round(min(ratios), 2), round(max(ratios), 2)]}

    def run(self):
        self.start_sim()
        self.source = os.path.join(self.work, "manifests")
        world = workload.World(self.n, self.endpoints, qps=RATE, request_timeout="10s")
        world.write(self.source)
        self.per_config = {}
        for provider, *_ in world.manifests:
            config = f"soak-{provider}"
            self.per_config[config] = self.per_config.get(config, 0) + 1
        converge_s = self.converge(timeout=max(120, self.n / 30))
        calls = self.sim_calls()
        errors = sum(c for outcomes in calls.values() for o, c in outcomes.items() if not o.startswith("2"))
        row = {"n": self.n, "converge_s": round(converge_s, 2),
               "bound_s": round(self.n / (3 * RATE), 2),
               "requests": sum(sum(o.values()) for o in calls.values()), "errors": errors,
               "reconcile_errors": metric_sum(self.metrics(), "controller_runtime_reconcile_errors_total"),
               "rss_converged_mib": round(proc_status(self.controller.pid, "VmHWM"), 1),
               "converge_cpu_s": round(cpu_seconds(self.controller.pid), 2),
               "sim_cpu_s": round(cpu_seconds(self.sim.pid), 2)}
        row["ratio"] = round(row["converge_s"] / row["bound_s"], 3)
        row.update(self.timeline)
        row.update(self.resync())
        row["rss_resync_mib"] = round(proc_status(self.controller.pid, "VmHWM"), 1)
        self.controller.send_signal(signal.SIGTERM)
        self.controller.wait(timeout=60)
        row.update(self.plan_speed())
        return row

    def stop(self):
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()


def table(rows):
    lines = ["| N | converge s | bound s | ratio | first / last create s | errors | resync calls | "
             "resync writes | resync CPU s | peak RSS MiB (converged / resync) | diff s | yaml-cpp s | "
             "plan ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        calls = sum(r["resync_calls"].values())
        lines.append(f"| {r['n']:,} | {r['converge_s']} | {r['bound_s']} | {r['ratio']} | "
                     f"{r.get('first_create_s', '-')} / {r.get('last_create_s', '-')} | {r['errors']} | "
                     f"{calls} ({calls / r['n'] * 100:.2f}% of N) | {r['resync_writes']} | {r['resync_cpu_s']} | "
                     f"{r['rss_converged_mib']} / {r['rss_resync_mib']} | {r['diff_s']} | {r['yaml_s']} | "
                     f"{r['plan_ratio']} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="build-release")
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--workers", type=int, default=64, help="wsctl controller --workers")
    args = p.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        work = tempfile.mkdtemp(prefix=f"wsop-bench-{n}-")
        bench = Bench(args.bin, n, work, workers=args.workers)
        try:
            rows.append(bench.run())
            print(json.dumps(rows[-1]), flush=True)
        finally:
            bench.stop()
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
