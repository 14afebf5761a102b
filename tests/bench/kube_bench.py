#!/usr/bin/env python3
"""The Kubernetes-mode benchmark of docs/PERFORMANCE.md: N Workspace resources
through the Kubernetes API double (tests/kube/kube_api_double.py), the same
provider setup as the file-mode convergence of run_bench.py (provider-sim adds
50 ms to every answer and limits each provider to 100 requests/s; each
ProviderConfig's rateLimit.qps is 100; the rate-limit bound is N / 300 s).

  convergence  the ProviderConfigs and N Workspaces are POSTed to the double
               first; then `wsctl controller --source kubernetes
               --leader-elect` starts. Wall time from its start to every
               Workspace Ready=True as the double stores it (one list of the
               double, asked only once the controller's own gauge says all
               are Ready, so the poller does not slow the double), and its
               ratio to the bound; the double's CPU seconds and requests
               over the same time (double_converge_cpu_s, _requests, and
               double_requests by verb and resource).
  idle         after convergence, the double's counters are reset and nothing
               changes for --idle-seconds (300): requests the controller sent
               (by its User-Agent), by verb and resource, besides its lease
               renewals (get/update leases); watch bookmarks are events on
               open watches, not requests, and are counted apart.
  resync       one resync forced with SIGHUP: writes to workspaces and to
               workspaces/status (patch, update) it sent: none is expected,
               since no status changed.
  memory       the controller's peak RSS (VmHWM) after convergence, after the
               idle window and after the resync.

  tests/bench/kube_bench.py --bin build-release [--n 10000] [--idle-seconds 300]

Standard library and PyYAML only.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "kube"))
import workload  # noqa: E402
from double_client import PC_PATH, WS_PATH, Client  # noqa: E402
from double_process import DoubleProcess  # noqa: E402
from run_bench import LATENCY_MS, RATE, cpu_seconds, metric_sum, proc_status  # noqa: E402

sys.dont_write_bytecode = True
NAMESPACE = "soak"  # workload.World's manifests live there
CONTROLLER_CLIENT = "workspace-operator"  # the controller's User-Agent product (kube/transport.h)
LEASE_KEYS = ("get leases", "update leases", "patch leases")
STATUS_WRITES = ("patch workspaces/status", "update workspaces/status", "patch workspaces",
                 "update workspaces")


def fetch(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


class KubeBench:
    def __init__(self, bin_dir, n, work, workers, idle_seconds, post_threads):
        self.bin, self.n, self.work = os.path.abspath(bin_dir), n, work
        self.workers, self.idle_seconds, self.post_threads = workers, idle_seconds, post_threads
        self.processes = []
        self.controller = None

    # --- set-up ------------------------------------------------------------
    def start(self):
        self.sim, self.endpoints = workload.start_sim(self.bin, self.work, LATENCY_MS, RATE)
        self.processes.append(self.sim)
        self.double = DoubleProcess(self.work).start()
        self.api = Client(self.double)

    def post_all(self):
        """The ProviderConfigs, the namespace and N Workspaces, as JSON POSTs
        over post_threads keep-alive connections; seconds taken."""
        world = workload.World(self.n, self.endpoints, qps=RATE, request_timeout="10s")
        started = time.time()
        status, body, _ = self.api.request("POST", "/api/v1/namespaces",
                                           {"apiVersion": "v1", "kind": "Namespace",
                                            "metadata": {"name": NAMESPACE}})
        if status != 201:
            raise SystemExit(f"namespace: {status} {body}")
        for config in yaml.safe_load_all(workload.provider_configs(self.endpoints, RATE, "10s")):
            status, body, _ = self.api.request("POST", PC_PATH, config)
            if status != 201:
                raise SystemExit(f"ProviderConfig: {status} {body}")
        docs = [yaml.safe_load(m[3]) for m in world.manifests]
        chunks = [docs[i::self.post_threads] for i in range(self.post_threads)]

        def post_chunk(chunk):
            client = Client(self.double)
            try:
                for doc in chunk:
                    status, body, _ = client.request("POST", WS_PATH % NAMESPACE, doc)
                    if status != 201:
                        raise SystemExit(f"Workspace: {status} {body}")
            finally:
                client.close()

        with concurrent.futures.ThreadPoolExecutor(self.post_threads) as pool:
            for future in [pool.submit(post_chunk, c) for c in chunks]:
                future.result()
        return time.time() - started

    def start_controller(self):
        self.port = workload.free_port()
        argv = [os.path.join(self.bin, "cmd/wsctl/wsctl"), "controller", "--source", "kubernetes",
                "--kubeconfig", self.double.kubeconfig, "--leader-elect",
                "--leader-election-namespace", NAMESPACE, "--metrics-addr",
                f"127.0.0.1:{self.port}", "--resync", "1h", "--log-level", "warn"]
        if self.workers:
            argv += ["--workers", str(self.workers)]
        env = dict(os.environ, SIM_TOKEN="bench-token")
        self.controller = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                           stderr=open(os.path.join(self.work, "controller.log"), "wb"))
        self.processes.append(self.controller)

    # --- reading -----------------------------------------------------------
    def metrics(self):
        return fetch(f"http://127.0.0.1:{self.port}/metrics")

    def ready_in_double(self):
        """Workspaces whose stored Ready condition is True (one list)."""
        status, body, _ = self.api.request("GET", WS_PATH % NAMESPACE)
        if status != 200:
            return 0
        ready = 0
        for item in body.get("items", []):
            for condition in item.get("status", {}).get("conditions", []):
                if condition.get("type") == "Ready" and condition.get("status") == "True":
                    ready += 1
        return ready

    def stats(self):
        status, body, _ = self.api.request("GET", "/_double/stats")
        return body if status == 200 else {}

    def reset_stats(self):
        self.api.request("POST", "/_double/reset-stats", {})

    def quiet(self):
        text = self.metrics()
        return metric_sum(text, "workqueue_depth") == 0 and \
            metric_sum(text, "controller_runtime_active_workers") == 0

    # --- phases ------------------------------------------------------------
    def converge(self, timeout):
        """Seconds from the controller's start to all Ready in the double.
        The double is listed only when the controller's gauge says all are
        Ready (progress every 20 s is the gauge's), so polling costs it
        nearly nothing; the time is that of the list that found all Ready."""
        started = time.time()
        self.double_cpu_at_start = cpu_seconds(self.double.proc.pid)
        self.double_requests_at_start = self.stats().get("total", 0)
        self.start_controller()
        self.timeline = {}
        last_progress = started
        gauge = 0
        while time.time() - started < timeout:
            # Each scrape makes the controller count its records (O(N)): once
            # a second, four times a second near the end.
            time.sleep(0.25 if gauge >= 0.95 * self.n else 1.0)
            if self.controller.poll() is not None:
                raise SystemExit(f"the controller exited; see {self.work}/controller.log")
            try:
                gauge = metric_sum(self.metrics(), "workspace_operator_workspaces", {"ready": "True"})
            except OSError:
                continue  # still starting
            if "first_ready_s" not in self.timeline and gauge > 0:
                self.timeline["first_ready_s"] = round(time.time() - started, 2)
            if gauge < self.n and time.time() - last_progress > 20:
                # Progress from the gauge alone: a list of the double would
                # hold its lock (the GIL) for a few hundred ms mid-run.
                last_progress = time.time()
                self.progress(last_progress - started, gauge)
            if gauge >= self.n:
                asked = time.time()
                ready = self.ready_in_double()
                self.progress(asked - started, gauge, ready)
                if ready >= self.n:
                    return asked - started
        raise SystemExit(f"not converged after {timeout} s; see {self.work}")

    def progress(self, seconds, gauge, ready=None):
        """One progress row: the controller's gauge, and the double's count
        when it was listed."""
        self.timeline.setdefault("progress", []).append([round(seconds, 1), int(gauge), ready])
        double = "" if ready is None else f" {ready} (double)"
        print(f"  {seconds:.1f} s: Ready {int(gauge)} (controller){double}",
              file=sys.stderr, flush=True)

    def idle(self):
        deadline = time.time() + 120
        while not self.quiet() and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        self.reset_stats()
        time.sleep(self.idle_seconds)
        stats = self.stats()
        requests = stats.get("byVerbResource", {})
        # The poller (this script) is its own client; the controller's lines:
        controller_total = stats.get("byClient", {}).get(CONTROLLER_CLIENT, 0)
        lease = sum(requests.get(k, 0) for k in LEASE_KEYS)
        return {"idle_seconds": self.idle_seconds, "idle_controller_requests": controller_total,
                "idle_lease_requests": lease,
                "idle_other_requests": controller_total - lease,
                "idle_by_verb_resource": {k: v for k, v in requests.items()
                                          if k not in ("stats", "reset-stats")},
                "idle_bookmarks": stats.get("bookmarksSent", 0),
                "idle_watch_events": stats.get("watchEventsSent", 0)}

    def resync(self, timeout=600):
        self.reset_stats()
        before_calls = workload.sim_calls(self.endpoints)
        before_cpu = cpu_seconds(self.controller.pid)
        reconciles = metric_sum(self.metrics(), "controller_runtime_reconcile_total")
        started = time.time()
        self.controller.send_signal(signal.SIGHUP)
        while time.time() - started < timeout:
            time.sleep(0.1)
            text = self.metrics()
            done = metric_sum(text, "controller_runtime_reconcile_total") - reconciles
            if done >= self.n and metric_sum(text, "workqueue_depth") == 0 and \
                    metric_sum(text, "controller_runtime_active_workers") == 0:
                break
        seconds = time.time() - started
        time.sleep(2)  # a status write queued behind the last reconcile
        requests = self.stats().get("byVerbResource", {})
        calls = {k: v for k, v in requests.items() if "workspaces" in k}
        provider_calls = {}
        for op, outcomes in workload.sim_calls(self.endpoints).items():
            n = sum(outcomes.values()) - sum(before_calls.get(op, {}).values())
            if n:
                provider_calls[op] = n
        return {"resync_seconds": round(seconds, 2),
                "resync_reconciles": int(metric_sum(self.metrics(), "controller_runtime_reconcile_total")
                                         - reconciles),
                "resync_provider_calls": provider_calls,
                "resync_cpu_s": round(cpu_seconds(self.controller.pid) - before_cpu, 2),
                "resync_workspace_requests": calls,
                "resync_workspace_writes": sum(requests.get(k, 0) for k in STATUS_WRITES)}

    def run(self):
        self.start()
        row = {"n": self.n, "post_s": round(self.post_all(), 1)}
        bound = self.n / (3 * RATE)
        converge_s = self.converge(timeout=max(180, self.n / 20))
        pid = self.controller.pid
        calls = workload.sim_calls(self.endpoints)
        row.update({"converge_s": round(converge_s, 2), "bound_s": round(bound, 2),
                    "ratio": round(converge_s / bound, 3),
                    "sim_requests": sum(sum(o.values()) for o in calls.values()),
                    "sim_errors": sum(c for o in calls.values() for k, c in o.items()
                                      if not k.startswith("2")),
                    "converge_cpu_s": round(cpu_seconds(pid), 2),
                    "double_cpu_s": round(cpu_seconds(self.double.proc.pid), 2),
                    "double_converge_cpu_s": round(cpu_seconds(self.double.proc.pid)
                                                   - self.double_cpu_at_start, 2),
                    "double_converge_requests": self.stats().get("total", 0)
                    - self.double_requests_at_start,
                    "double_requests": self.stats().get("byVerbResource", {}),
                    "rss_converged_mib": round(proc_status(pid, "VmHWM"), 1),
                    "workers": int(metric_sum(self.metrics(),
                                              "controller_runtime_max_concurrent_reconciles"))})
        # What converging cost the API server: the controller's requests by
        # verb and resource (the POSTs of this script counted apart).
        by_client = self.stats()
        row["converge_controller_requests"] = by_client.get("byClient", {}).get(CONTROLLER_CLIENT, 0)
        row["converge_by_verb_resource"] = by_client.get("byVerbResource", {})
        row["converge_error_codes"] = by_client.get("errorCodes", {})  # 409: a write retried
        row.update(self.timeline)
        row.update(self.idle())
        row["rss_idle_mib"] = round(proc_status(pid, "VmHWM"), 1)
        row.update(self.resync())
        row["rss_resync_mib"] = round(proc_status(pid, "VmHWM"), 1)
        return row

    def stop(self):
        self.processes.append(self.double)
        for p in self.processes:
            if isinstance(p, DoubleProcess):
                p.stop()
            elif p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()


def table(rows):
    lines = ["| N | converge s | bound s | ratio | idle requests (other / lease) in s | "
             "resync writes | peak RSS MiB (converged / idle / resync) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['converge_s']} | {r['bound_s']} | {r['ratio']} | "
                     f"{r['idle_other_requests']} / {r['idle_lease_requests']} in "
                     f"{r['idle_seconds']} | {r['resync_workspace_writes']} | "
                     f"{r['rss_converged_mib']} / {r['rss_idle_mib']} / {r['rss_resync_mib']} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="build-release")
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--idle-seconds", type=int, default=300)
    p.add_argument("--workers", type=int, default=0,
                   help="wsctl controller --workers (0: not given, the controller sizes itself "
                        "from the ProviderConfigs' rate limits, as a user's would)")
    p.add_argument("--post-threads", type=int, default=8)
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix=f"wsop-kube-bench-{args.n}-")
    bench = KubeBench(args.bin, args.n, work, args.workers, args.idle_seconds, args.post_threads)
    try:
        row = bench.run()
        print(json.dumps(row), flush=True)
    finally:
        bench.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(table([row]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(row, f, indent=2)


if __name__ == "__main__":
    main()
