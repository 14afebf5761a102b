"""The workload of the soak and the benchmarks: N manifests across the three
providers, their ProviderConfigs pointed at provider-sim, progress read
from the status API, and the end checks that compare the simulators' own
state with the manifests.

Every manifest is recognisable in the simulators' state without the
operator's help: Paradigm and Cadenya workspaces by their display name,
Aether workspaces (which have no name) by a hardware shape no other
manifest uses (cpus x memoryMb x volumeSizeGb)."""
import json
import os
import socket
import subprocess
import time
import urllib.request

PROJECT = "00000000-0000-4000-8000-000000000001"
PROVIDERS = ("paradigm", "cadenya", "aether")
DOCS_PER_FILE = 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sim(bin_dir, work, latency_ms, rate_limit_rps):
    """Starts provider-sim with these faults; returns its process and its
    endpoints ({provider: base URL}), read from what it prints."""
    config = os.path.join(work, "sim.yaml")
    with open(config, "w") as f:
        f.write(f"threads: 4\nfaults: {{latencyMs: {latency_ms}, rateLimitRps: {rate_limit_rps}}}\n")
    out = os.path.join(work, "endpoints.json")
    process = subprocess.Popen([os.path.join(bin_dir, "cmd/provider-sim/provider-sim"), "--config", config],
                               stdout=open(out, "wb"), stderr=open(os.path.join(work, "sim.log"), "wb"))
    for _ in range(200):
        try:
            return process, json.load(open(out))
        except (ValueError, OSError):
            time.sleep(0.05)
    process.kill()
    raise SystemExit("provider-sim did not start")


def sim_calls(endpoints):
    """The simulators' counters summed over providers: {operation: {outcome: count}}."""
    calls = {}
    for url in endpoints.values():
        with urllib.request.urlopen(url + "/_sim/stats", timeout=60) as response:
            stats = json.loads(response.read().decode())
        for op, outcomes in stats["calls"].items():
            for outcome, count in outcomes.items():
                calls.setdefault(op, {}).setdefault(outcome, 0)
                calls[op][outcome] += count
    return calls


def provider_configs(endpoints, qps, request_timeout="2s", burst=None):
    if burst is None:
        # A burst of a tenth of a second: a full second's burst would empty a
        # server bucket of the same rate, and the jitter after it means 429s.
        burst = max(1, int(qps) // 10)
    out = []
    for provider in PROVIDERS:
        out.append(
            "apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
            f"metadata: {{name: soak-{provider}}}\n"
            f"spec:\n  type: {provider}\n  baseUrl: {endpoints[provider]}\n"
            "  credentials: {env: SIM_TOKEN}\n"
            f"  rateLimit: {{qps: {qps}, burst: {burst}}}\n"
            f"  timeouts: {{connect: 2s, request: {request_timeout}}}\n"
            # provider-sim's default token belongs to company 1: its company
            # list proves a lost create absent there.
            + ("  paradigm: {companyId: 1}\n" if provider == "paradigm" else ""))
    return "---\n".join(out)


class World:
    def __init__(self, n, endpoints, qps=100, request_timeout="2s", burst=None, providers=PROVIDERS,
                 aether_shapes=None):
        """aether_shapes: how many distinct hardware shapes the Aether
        workspaces share (None: each its own); 1 makes them all identical."""
        self.endpoints = endpoints
        self.aether_shapes = aether_shapes
        self.qps = qps
        self.burst = burst
        self.request_timeout = request_timeout
        self.manifests = []  # (provider, key, identity, yaml)
        for i in range(n):
            provider = providers[i % len(providers)]
            self.manifests.append(self._manifest(provider, i // len(providers)))

    def _manifest(self, provider, i):
        name = f"soak-{provider[0]}-{i:05d}"
        head = ("apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\n"
                f"metadata: {{name: {name}, namespace: soak}}\n"
                f"spec:\n  providerConfigRef: {{name: soak-{provider}}}\n")
        if provider == "paradigm":
            body = f"  displayName: {name}\n  description: soak\n  paradigm: {{companyId: 1}}\n"
            identity = name
        elif provider == "cadenya":
            body = f"  displayName: {name}\n  description: soak\n"
            identity = name
        else:
            # 8 x 32 x 1024 distinct shapes: enough for 262,144 workspaces.
            shape = i % self.aether_shapes if self.aether_shapes else i
            cpus, memory, volume = 1 + shape % 8, 1024 + 256 * ((shape // 8) % 32), 1 + shape // 256
            body = (f"  hardware: {{cpuKind: shared, cpus: {cpus}, memoryMb: {memory}, "
                    f"volumeSizeGb: {volume}}}\n  aether: {{projectId: {PROJECT}}}\n")
            identity = (cpus, memory, volume)
        return provider, f"soak/{name}", identity, head + body

    def write(self, directory):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "provider-configs.yaml"), "w") as f:
            f.write(provider_configs(self.endpoints, self.qps, self.request_timeout, self.burst))
        for start in range(0, len(self.manifests), DOCS_PER_FILE):
            chunk = self.manifests[start:start + DOCS_PER_FILE]
            with open(os.path.join(directory, f"workspaces-{start // DOCS_PER_FILE:04d}.yaml"), "w") as f:
                f.write("---\n".join(m[3] for m in chunk))

    # --- status ------------------------------------------------------------
    @staticmethod
    def _conditions(item):
        return {c["type"]: c for c in item.get("status", {}).get("conditions", [])}

    @staticmethod
    def _key(item):
        return item["metadata"]["namespace"] + "/" + item["metadata"]["name"]

    def _classify(self, statuses):
        by_key = {self._key(item): item for item in statuses.get("items", [])}
        ready, unresolved, other = [], [], []
        for _, key, _, _ in self.manifests:
            item = by_key.get(key)
            conditions = self._conditions(item) if item else {}
            if conditions.get("Ready", {}).get("status") == "True":
                ready.append(key)
            elif conditions.get("Synced", {}).get("reason") == "CreatePendingUnresolved":
                unresolved.append(key)
            else:
                other.append(key)
        return by_key, ready, unresolved, other

    def progress(self, statuses):
        _, ready, unresolved, other = self._classify(statuses)
        return {"ready": len(ready), "unresolved": len(unresolved), "settled": not other}

    # --- end checks ----------------------------------------------------------
    @staticmethod
    def _live(provider, state):
        out = []
        for w in state.get("workspaces", []):
            if provider == "paradigm" and not w.get("deleted"):
                out.append((w["name"], w["id"]))
            elif provider == "cadenya" and w.get("status") != "STATUS_ARCHIVED":
                out.append((w["metadata"]["name"], w["metadata"]["id"]))
            elif provider == "aether" and not w.get("deleted"):
                hw = w["hardware"]
                out.append(((hw["cpus"], hw["memory_mb"], hw["volume_size_gb"]), w["id"]))
        return out

    def check(self, remote_states, statuses):
        by_key, ready, unresolved, other = self._classify(statuses)
        remote = {}  # (provider, identity) -> [ids]
        for provider in PROVIDERS:
            for identity, rid in self._live(provider, remote_states[provider]):
                remote.setdefault((provider, identity), []).append(rid)
        figures = {"manifests": len(self.manifests), "remote_live": sum(len(v) for v in remote.values()),
                   "duplicates": 0, "missing": 0, "orphans": 0, "mislinked": 0,
                   "ready": len(ready), "unresolved": len(unresolved), "not_ready": len(other)}
        wanted = {}  # (provider, identity) -> manifests that want one (identical shapes share)
        for provider, key, identity, _ in self.manifests:
            wanted[(provider, identity)] = wanted.get((provider, identity), 0) + 1
            ids = remote.get((provider, identity), [])
            remote_id = (by_key.get(key) or {}).get("status", {}).get("remoteId")
            if remote_id is not None and str(remote_id) not in [str(i) for i in ids]:
                figures["mislinked"] += 1
        for identity, count in wanted.items():
            live = len(remote.get(identity, []))
            figures["duplicates"] += max(0, live - count)
            figures["missing"] += max(0, count - live)
        linked = [str((by_key.get(key) or {}).get("status", {}).get("remoteId"))
                  for _, key, _, _ in self.manifests
                  if (by_key.get(key) or {}).get("status", {}).get("remoteId") is not None]
        figures["mislinked"] += len(linked) - len(set(linked))  # one remote, two manifests
        figures["orphans"] = sum(len(ids) for ident, ids in remote.items() if ident not in wanted)
        figures["not_ready_keys"] = other[:10]
        return figures


def fault_figures(stats):
    """Requests served and faulted, from the simulators' counters."""
    total = faulted = 0
    by_outcome = {}
    for provider_stats in stats.values():
        for op, outcomes in provider_stats.get("calls", {}).items():
            for outcome, count in outcomes.items():
                total += count
                by_outcome[outcome] = by_outcome.get(outcome, 0) + count
                if outcome in ("500", "502", "503", "429", "reset", "hang", "dropped"):
                    faulted += count
    return {"requests": total, "faulted": faulted,
            "fault_share": round(faulted / total, 3) if total else 0.0,
            "outcomes": by_outcome}
