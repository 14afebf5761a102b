#!/usr/bin/python3
"""A test double of the Kubernetes API server, faithful enough for kubectl 1.32
and for the operator's C++ client (no kube-apiserver can be installed on the
project's machines). Python 3 stdlib + PyYAML (Debian's python3-yaml).

CONTRACT
  Serves on 127.0.0.1, HTTP/1.1 (keep-alive; watches as chunked streams), or
  HTTPS with --tls-cert/--tls-key.
  CLI:
    --port N              0 (default): a free port
    --port-file PATH      written (atomically) with the port once listening
    --crds DIR            CRDs served from start (default: <repo>/manifests/crds);
                          CRDs created through the API are served too
    --token T             repeatable; then every API request needs
                          "Authorization: Bearer <one of them>" or gets 401
    --tls-cert/--tls-key  PEM files: serve HTTPS; --tls-ca names the CA the
                          kubeconfig trusts (default: the certificate itself)
    --kubeconfig-out PATH a kubeconfig for kubectl and the C++ client (the
                          first token, namespace default)
    --history N           watch events kept for resuming (default 10000)
    --bookmark-interval S BOOKMARK period of watches that allow them (60)
    --min-request-timeout S  a watch without timeoutSeconds ends after S..2S (1800)
    --auto-create-namespaces  create a missing namespace on first use instead of
                          kube-apiserver's 404 (namespaces default, kube-system,
                          kube-public, kube-node-lease exist from start)
    --verbose             log requests to stderr (never headers, so no token)
    --exit-with-parent    exit when the process that started it has gone
  API: /version, /healthz, /livez, /readyz; discovery /api, /api/v1, /apis,
  /apis/G, /apis/G/V (legacy discovery; kubectl falls back from the aggregated
  form); /openapi/v3 (a root and one document per group-version whose write
  operations take fieldValidation, so kubectl leaves validation to the
  server; schemas of CRDs for kubectl explain); /openapi/v2 answers 404.
  Unauthenticated: /healthz, /livez, /readyz and /_double/.
  Resources: core v1 namespaces, secrets, configmaps, events;
  events.k8s.io/v1 events (the same objects as core v1 events, converted);
  coordination.k8s.io/v1 leases; apiextensions.k8s.io/v1
  customresourcedefinitions; every served version of every CRD.
  Verbs get, list, watch, create, update, patch, delete, deletecollection as
  kube-apiserver: one global resourceVersion; labelSelector (=, ==, !=, in,
  notin, exists, !key); fieldSelector (metadata.name, metadata.namespace, and
  the type's own fields, e.g. involvedObject.* of events); limit/continue
  (a list at resourceVersion=0 comes whole, as from the watch cache);
  watch with resourceVersion (events after it; none or "0": ADDED for every
  current object first), allowWatchBookmarks, timeoutSeconds, 410 Gone (HTTP
  410 when the resourceVersion is already too old, an ERROR event when the
  watcher falls behind a compaction); selector transitions as ADDED/DELETED;
  create (generateName, 409 AlreadyExists, 404 for a missing namespace);
  update (409 on a stale metadata.resourceVersion; custom resources require
  it); patch (merge, JSON patch; strategic merge on built-ins is taken as a
  merge patch, on custom resources 415); delete (with finalizers:
  deletionTimestamp set and kept until an update empties them; then DELETED);
  the status subresource (writes to it change only status; writes to the main
  resource keep the stored status); metadata.generation counts spec changes
  of custom resources; an update that changes nothing writes nothing; errors
  as metav1 Status; meta.k8s.io/v1 Table answers (printer columns, NAME first,
  dates as ages, includeObject=None|Metadata|Object) for lists, gets and
  watches. Custom resources are validated, defaulted and pruned by their
  openAPIV3Schema (kube_schema.py) as kube-apiserver does (pruned fields come
  back as Warning headers; fieldValidation=Strict makes them 400); every
  object's metadata is checked (names, label and annotation keys and values,
  unknown metadata fields dropped); events.k8s.io/v1 Events need eventTime,
  reportingController, reportingInstance, action, reason, type.
  Server-side apply (apply-patch+yaml, fieldManager required) creates a missing
  object and otherwise merges, without field ownership or conflicts.
  Request bodies: JSON, YAML, and protobuf for the Namespace, Secret and
  ConfigMap kubectl's typed commands send (kubectl create namespace / secret /
  configmap); answers are always JSON. Secrets: stringData folded into data,
  type defaults to Opaque.
  Metadata-only answers (Accept ...;as=PartialObjectMetadata[List]) for get,
  list and watch; dryRun=All; sendInitialEvents=true watches end their
  initial ADDED events with a BOOKMARK annotated k8s.io/initial-events-end.
  Left out: other protobuf, field managers, ownerReference garbage collection,
  admission, RBAC, aggregated discovery, OpenAPI v2, strict field validation
  of built-in types, snapshot reads at an old resourceVersion.
  Test hooks (no token needed), JSON in and out:
    GET  /_double/stats          requests: total, byVerb, byVerbResource ("list
                                 workspaces", "patch workspaces/status",
                                 "discovery"), byClient (User-Agent product),
                                 errorCodes; watchEventsSent, bookmarksSent,
                                 openWatches(ByResource), resourceVersion,
                                 oldestResumableResourceVersion
    POST /_double/reset-stats
    POST /_double/drop-watches   {"mode": "close" (default: abrupt) | "end" (the
                                 stream ends cleanly) | "gone" (an ERROR event
                                 with 410 Expired, then the end)}
    POST /_double/compact        forget the history: resuming from an older
                                 resourceVersion gets 410 Gone
    POST /_double/fail           {"ratio": 0.5 | "count": N, "code": 500|429|...
                                 (0: no error), "retryAfter": S, "delaySeconds":
                                 S (answer late), "verbs": [...], "resources":
                                 ["workspaces", "workspaces/status"]}; {} stops.
                                 Exactly floor(n * ratio) of n matching requests
                                 fail; verbs are get list watch create update
                                 patch delete deletecollection discovery (the
                                 last only when named)
    GET  /_double/faults         {"seen", "failed"} since the last /fail
    POST /_double/tokens         {"tokens": [...]}: the accepted tokens now
  Watches: after sending events a watch waits 20 ms and sends what came
  meanwhile in one write. Profiling: WSOP_KUBE_DOUBLE_PROFILE=cprofile:FILE
  or phases:FILE in the environment (kube_profile.py; written at exit).
"""

import argparse
import gc
import os
import signal
import ssl
import sys
import threading
import time
from http.server import ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yaml  # noqa: E402

from kube_discovery import Registry  # noqa: E402
from kube_hooks import Faults, Hooks, Stats, Watches  # noqa: E402
from kube_http import Handler  # noqa: E402
from kube_kubeconfig import write_kubeconfig  # noqa: E402
from kube_profile import from_environment as profiler_from_environment  # noqa: E402
from kube_store import Store  # noqa: E402
from kube_types import crd_status  # noqa: E402

try:
    import kube_schema  # noqa: E402
except ImportError:  # pragma: no cover - validation is optional
    kube_schema = None

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class DoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, options):
        super().__init__(("127.0.0.1", options.port), Handler)
        self.options = options
        self.port = self.server_address[1]
        self.tokens = set(options.token or [])
        self.registry = Registry()
        validator = kube_schema.make_validator() if kube_schema else None
        self.store = Store(options.history, options.auto_create_namespaces, validator)
        self.store.crd_status = crd_status
        self.store.on_crd_change = self.registry.apply_crd
        self.store.namespace_type = self.registry.lookup("", "v1", "namespaces")
        self.store.storage_types = _StorageTypes(self.registry)
        self.stats, self.faults = Stats(), Faults()
        self.watches, self.hooks = Watches(self), Hooks(self)
        if options.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(options.tls_cert, options.tls_key)
            # The handshake runs on the connection's thread (first read), not in accept().
            self.socket = context.wrap_socket(self.socket, server_side=True,
                                              do_handshake_on_connect=False)

    def seed(self, crd_dir):
        crds = self.registry.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        namespaces = self.store.namespace_type
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.store.create(namespaces, "", {"metadata": {"name": name}})
        if not crd_dir:
            return
        for file_name in sorted(os.listdir(crd_dir)):
            if not file_name.endswith((".yaml", ".yml", ".json")):
                continue
            with open(os.path.join(crd_dir, file_name)) as stream:
                for doc in yaml.load_all(stream, Loader=_YAML_LOADER):
                    if doc and doc.get("kind") == "CustomResourceDefinition":
                        self.store.create(crds, "", doc)


class _StorageTypes:
    """storage -> the type that owns it, asked of the registry when needed."""

    def __init__(self, registry):
        self.registry = registry

    def get(self, storage):
        return self.registry.storage_owner(storage)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--crds", default=os.path.join(REPO, "manifests", "crds"))
    parser.add_argument("--token", action="append")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-ca")
    parser.add_argument("--kubeconfig-out")
    parser.add_argument("--history", type=int, default=10000)
    parser.add_argument("--bookmark-interval", type=float, default=60.0)
    parser.add_argument("--min-request-timeout", type=float, default=1800.0)
    parser.add_argument("--auto-create-namespaces", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--exit-with-parent", action="store_true")
    options = parser.parse_args(argv)
    if bool(options.tls_cert) != bool(options.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return options


def _exit_when_orphaned(parent):
    """A test that crashed leaves no server behind: it goes when its parent does."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _keep_the_collector_short(period=2.0):
    """kube-apiserver's Go collector runs beside the server, with pauses
    under a millisecond. CPython's full collection stops every thread while
    it scans every object: with 10,000 Workspaces and their watch history,
    76 to 165 ms about every 10 s, during which a controller's every call waits
    (docs/PERFORMANCE.md, "2026-12-07 (late)"). Whatever has lived for a
    period is moved where the collector does not scan it (gc.freeze): it is
    still freed by reference counting when dropped; only a reference cycle
    among such objects would stay, and the double's full collections freed
    nothing in a whole benchmark."""
    while True:
        time.sleep(period)
        gc.freeze()


def main(argv):
    options = parse_args(argv)
    profiler = profiler_from_environment()
    if profiler:
        profiler.wrap(Handler)
    server = DoubleServer(options)
    server.seed(options.crds if options.crds and options.crds != "none" else None)
    scheme = "https" if options.tls_cert else "http"
    url = "%s://127.0.0.1:%d" % (scheme, server.port)
    if options.kubeconfig_out:
        write_kubeconfig(options.kubeconfig_out, url, (options.token or [None])[0],
                         options.tls_ca or options.tls_cert)
    if options.port_file:
        temporary = options.port_file + ".tmp"
        with open(temporary, "w") as stream:
            stream.write("%d\n" % server.port)
        os.replace(temporary, options.port_file)
    print("kube API double listening on %s" % url, file=sys.stderr, flush=True)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    if options.exit_with_parent:
        threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=_keep_the_collector_short, daemon=True).start()
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    if profiler:
        profiler.dump()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
