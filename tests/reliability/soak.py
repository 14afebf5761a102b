#!/usr/bin/env python3
"""Fault soak and crash-kill runs against provider-sim on loopback.

N workspaces, split across Paradigm, Cadenya and Aether, are applied by
`wsctl controller` (or `wsctl apply --wait`) while provider-sim injects
faults into a share of the requests: 500/502/503, connection resets, hangs
past the client's timeout, creates committed but answered never, and 429 +
Retry-After from a server-side rate limit. With --kills K the applier is
killed with SIGKILL at random moments K times and restarted.

At the end the simulators' own state (GET /_sim/state, never faulted) is
compared with the manifests:
  duplicates  remote workspaces beyond the first for one manifest
  missing     manifests with no remote workspace
  orphans     live remote workspaces that no manifest asks for
  unresolved  manifests carrying CreatePendingUnresolved (an honest answer
              when a lost create cannot be attributed; never a second one)
  not ready   manifests neither Ready nor honestly unresolved
and the state store's remote ids must name the matching remote workspace.
Exit 0 only when duplicates, missing, orphans, not ready and mislinked are 0.

  tests/reliability/soak.py --bin build -n 300                # CI soak
  tests/reliability/soak.py --bin build -n 300 --kills 10     # CI crash-kill
  tests/reliability/soak.py --bin build -n 300 --kills 10 --mode apply
  tests/reliability/soak.py --bin build-release -n 10000      # full soak
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import workload  # noqa: E402  (the manifests and the end checks)


def sim_config(fault_rate, server_rps):
    """provider-sim faulting `fault_rate` of the requests: 45% of those are
    500/502/503, 25% resets, 15% hangs past the client's 2 s timeout and
    15% creates committed but never answered (creates only, so creates see
    the whole rate); a server-side limit below the clients' adds 429s."""
    faults = (f"{{errorRate: {fault_rate * 0.45:.4f}, resetRate: {fault_rate * 0.25:.4f}, "
              f"hangRate: {fault_rate * 0.15:.4f}, dropAfterCreateRate: {fault_rate * 0.15:.4f}, "
              f"rateLimitRps: {server_rps}}}")
    return (f"threads: 4\n"
            f"faults: {faults}\n"
            f"aether: {{creatingDelay: 300ms, startingDelay: 300ms, stoppingDelay: 200ms, "
            f"errorRate: 0, idleStop: 24h}}\n")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="build", help="build directory holding cmd/wsctl and cmd/provider-sim")
    p.add_argument("-n", type=int, default=300, help="workspaces, split across the three providers")
    p.add_argument("--fault-rate", type=float, default=0.20, help="share of requests faulted")
    p.add_argument("--kills", type=int, default=0, help="SIGKILL the applier this many times")
    p.add_argument("--mode", choices=["controller", "apply"], default="controller")
    p.add_argument("--timeout", type=float, default=900, help="seconds allowed to converge")
    p.add_argument("--server-rps", type=int, default=20,
                   help="provider-sim's limit per provider (429 beyond); the clients ask 100")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--workers", type=int, default=32)
    p.add_argument("--providers", default=",".join(workload.PROVIDERS),
                   help="comma-separated providers the workspaces are spread over")
    p.add_argument("--aether-shapes", type=int,
                   help="distinct hardware shapes the Aether workspaces share (1: all identical)")
    p.add_argument("--require-resolved", action="store_true",
                   help="fail when any workspace ends CreatePendingUnresolved")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args()


def http_json(url, method="GET", body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.work = tempfile.mkdtemp(prefix="wsop-soak-")
        self.bin = os.path.abspath(args.bin)
        self.wsctl = os.path.join(self.bin, "cmd/wsctl/wsctl")
        self.sim_bin = os.path.join(self.bin, "cmd/provider-sim/provider-sim")
        self.state = os.path.join(self.work, "state.db")
        self.processes = []
        self.endpoints = {}
        self.metrics_port = None
        self.applier = None
        self.starts = 0
        self.kills = 0

    # --- processes -------------------------------------------------------
    def spawn(self, argv, name):
        log = open(os.path.join(self.work, f"{name}.log"), "ab")
        env = dict(os.environ, SIM_TOKEN="soak-token")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.processes.append(process)
        return process

    def start_sim(self):
        config = os.path.join(self.work, "sim.yaml")
        with open(config, "w") as f:
            f.write(sim_config(self.args.fault_rate, self.args.server_rps))
        out = os.path.join(self.work, "endpoints.json")
        with open(out, "wb") as endpoints:
            process = subprocess.Popen([self.sim_bin, "--config", config], stdout=endpoints,
                                       stderr=open(os.path.join(self.work, "sim.log"), "wb"))
        self.processes.append(process)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.endpoints = json.load(open(out))
                return
            except (ValueError, OSError):
                time.sleep(0.1)
        raise SystemExit("provider-sim did not start; see " + self.work + "/sim.log")

    def start_applier(self):
        self.starts += 1
        if self.args.mode == "controller":
            if self.metrics_port is None:
                self.metrics_port = workload.free_port()
            argv = [self.wsctl, "controller", "--source", self.source, "--state", self.state,
                    "--metrics-addr", f"127.0.0.1:{self.metrics_port}", "--resync", "5s",
                    "--source-poll", "1s", "--workers", str(self.args.workers),
                    "--instance-id", "soak", "--log-format", "json", "--shutdown-grace", "1s"]
        else:
            argv = [self.wsctl, "apply", "-f", self.source, "--state", self.state, "--wait",
                    "--workers", str(self.args.workers), "--instance-id", "soak",
                    "--timeout", "10m"]
        self.applier = self.spawn(argv, self.args.mode)

    def kill_applier(self):
        if self.applier and self.applier.poll() is None:
            self.applier.send_signal(signal.SIGKILL)
            self.applier.wait()
            self.kills += 1

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    # --- phases ----------------------------------------------------------
    def write_source(self):
        self.source = os.path.join(self.work, "manifests")
        self.world = workload.World(self.args.n, self.endpoints,
                                    providers=tuple(self.args.providers.split(",")),
                                    aether_shapes=self.args.aether_shapes)
        self.world.write(self.source)

    def crash_loop(self):
        """Kills the applier at random moments while it works, restarting it each time."""
        while self.kills < self.args.kills:
            self.start_applier()
            time.sleep(self.rng.uniform(0.2, 2.5))
            if self.applier.poll() is not None and self.args.mode == "apply":
                continue  # it finished (or gave up) before the kill: run it again
            self.kill_applier()

    def statuses(self):
        if self.args.mode == "controller":
            return http_json(f"http://127.0.0.1:{self.metrics_port}/api/v1/workspaces")
        result = subprocess.run([self.wsctl, "get", "-o", "json", "--state", self.state],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip())
        return json.loads(result.stdout)

    def converge(self):
        deadline = time.time() + self.args.timeout
        self.start_applier()
        last = None
        while time.time() < deadline:
            if self.args.mode == "apply":
                code = self.applier.wait(timeout=max(1, deadline - time.time()))
                if code == 0:
                    last = self.world.progress(self.statuses())
                    if last["settled"]:
                        return last
                self.start_applier()  # failures under faults: apply again, as a user would
                continue
            time.sleep(1)
            try:
                last = self.world.progress(self.statuses())
            except (OSError, ValueError):
                continue  # the controller is still starting
            if last["settled"]:
                return last
        return last or {"settled": False}

    def sim_stats(self):
        return {name: http_json(url + "/_sim/stats") for name, url in self.endpoints.items()}

    def run(self):
        started = time.time()
        self.start_sim()
        self.write_source()
        self.crash_loop()
        progress = self.converge()
        elapsed = time.time() - started
        statuses = self.statuses()
        remote = {name: http_json(url + "/_sim/state") for name, url in self.endpoints.items()}
        figures = self.world.check(remote, statuses)
        figures.update(workload.fault_figures(self.sim_stats()))
        figures.update({"n": self.args.n, "mode": self.args.mode, "kills": self.kills,
                        "starts": self.starts, "seconds": round(elapsed, 1),
                        "converged": bool(progress and progress.get("settled"))})
        return figures


def main():
    args = parse_args()
    run = Run(args)
    ok = False
    try:
        figures = run.run()
        ok = figures["converged"] and all(
            figures[k] == 0 for k in ("duplicates", "missing", "orphans", "not_ready", "mislinked"))
        if args.require_resolved:
            ok = ok and figures["unresolved"] == 0
        print(json.dumps(figures, indent=2, sort_keys=True))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=2, sort_keys=True)
    finally:
        run.stop_all()
        if ok and not args.keep:
            shutil.rmtree(run.work, ignore_errors=True)
        else:
            print("work directory kept: " + run.work, file=sys.stderr)
    print("soak: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
