"""Watch streaming, request statistics, injected failures and the /_double/
test hooks of the Kubernetes API double (see the contract in
kube_api_double.py)."""

import json
import select
import ssl
import threading
import time

import kube_discovery as disco
from kube_http import _flag, watch_timeout
from kube_store import dumps
from kube_util import ApiError

_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            409: "Conflict", 410: "Expired", 422: "Invalid", 429: "TooManyRequests",
            500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}


# How long a watch gathers the events that follow one it has sent.
WATCH_BATCH_SECONDS = 0.02


class Stats:
    """Requests by verb and resource, watch events and bookmarks sent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.by_verb, self.by_verb_resource, self.codes = {}, {}, {}
            self.by_client = {}
            self.total = 0
            self.watch_events = 0
            self.bookmarks = 0

    def count(self, verb, resource, user_agent=""):
        key = "%s %s" % (verb, resource) if resource else verb
        client = (user_agent or "unknown").split("/")[0]  # "kubectl/v1.32.4 (...)" -> kubectl
        with self.lock:
            self.total += 1
            self.by_client[client] = self.by_client.get(client, 0) + 1
            self.by_verb[verb] = self.by_verb.get(verb, 0) + 1
            self.by_verb_resource[key] = self.by_verb_resource.get(key, 0) + 1

    def code(self, code):
        with self.lock:
            self.codes[str(code)] = self.codes.get(str(code), 0) + 1

    def sent(self, event_type, count=1):
        with self.lock:
            if event_type == "BOOKMARK":
                self.bookmarks += count
            else:
                self.watch_events += count

    def snapshot(self, store):
        with self.lock:
            result = {"total": self.total, "byVerb": dict(self.by_verb),
                      "byVerbResource": dict(self.by_verb_resource),
                      "byClient": dict(self.by_client),
                      "errorCodes": dict(self.codes), "watchEventsSent": self.watch_events,
                      "bookmarksSent": self.bookmarks}
        with store.cond:
            result["openWatches"] = store.open_watches
            result["openWatchesByResource"] = {k: v for k, v in
                                               store.open_watches_by_resource.items() if v}
            result["resourceVersion"] = str(store.rv)
            result["oldestResumableResourceVersion"] = str(store.events_base - 1)
        return result


class Faults:
    """Fails a share of the matching requests: exactly floor(n * ratio) of the first n,
    so a test knows how many failed (or the next `count` matching ones). With
    delaySeconds they are answered that much later; with code 0, then normally."""

    def __init__(self):
        self.lock = threading.Lock()
        self.configure({})

    def configure(self, spec):
        with self.lock:
            self.ratio = float(spec.get("ratio", 0))
            self.remaining = int(spec.get("count", 0))
            self.code = int(spec.get("code", 500))
            self.retry_after = spec.get("retryAfter")
            self.delay = float(spec.get("delaySeconds", 0))  # before answering (or failing)
            self.verbs = set(spec.get("verbs") or [])
            self.resources = set(spec.get("resources") or [])
            self.seen = 0
            self.failed = 0

    def decide(self, verb, resource):
        if self.ratio <= 0 and self.remaining <= 0:  # none configured: no lock needed
            return None
        with self.lock:
            if self.ratio <= 0 and self.remaining <= 0:
                return None
            if (self.verbs and verb not in self.verbs) or (not self.verbs and verb == "discovery"):
                return None
            if self.resources and resource not in self.resources:
                return None
            self.seen += 1
            if self.remaining > 0:
                self.remaining -= 1
            elif int(self.seen * self.ratio) <= int((self.seen - 1) * self.ratio):
                return None
            self.failed += 1
            delay, error = self.delay, self._error() if self.code else None
        if delay > 0:
            time.sleep(delay)
        return error

    def _error(self):
        reason = _REASONS.get(self.code, "InternalError")
        messages = {429: "Too many requests, please try again later.",
                    500: "Internal error occurred: injected by the test double"}
        err = ApiError(self.code, reason, messages.get(self.code, "injected failure"))
        if self.retry_after is not None:
            err.headers["Retry-After"] = str(self.retry_after)
            err.details = {"retryAfterSeconds": int(self.retry_after)}
        return err


class Watches:
    """Streams one watch: synthetic ADDED events, then events from the history,
    BOOKMARKs, and the end (timeoutSeconds, a dropped watch, or 410 Gone)."""

    def __init__(self, server):
        self.server = server
        self.drop_mode = "close"

    def serve(self, handler, route, query, matches):
        store, options = self.server.store, self.server.options
        timeout = watch_timeout(query, options.min_request_timeout)
        bookmarks = _flag(query, "allowWatchBookmarks")
        as_table = disco.wants_table(handler.headers.get("Accept"))
        metadata_only = disco.wants_metadata(handler.headers.get("Accept"))
        include = query.get("includeObject", ["Metadata"])[0]
        # sendInitialEvents (client-go's WatchList): the current objects, then a
        # BOOKMARK annotated k8s.io/initial-events-end, then the changes.
        send_initial = _flag(query, "sendInitialEvents")
        watch, initial = store.open_watch(route.rtype, route.namespace, matches,
                                          query.get("resourceVersion", [None])[0], send_initial)
        state = {"headers": True}

        def encode(event_type, obj):
            """One event as a chunk of the stream."""
            if as_table and event_type in ("ADDED", "MODIFIED", "DELETED"):
                obj = disco.table(route.rtype, [obj], obj["metadata"].get("resourceVersion", ""),
                                  include, state["headers"])
                state["headers"] = False
            if metadata_only and event_type in ("ADDED", "MODIFIED", "DELETED"):
                obj = disco.partial(obj)
            if event_type in ("ADDED", "MODIFIED") and not (as_table or metadata_only or
                                                            route.rtype.to_view):
                data = store.encoded(route.rtype, obj)  # one encoding for every watcher
            else:
                data = dumps(obj)
            line = b'{"type":"' + event_type.encode() + b'","object":' + data + b"}\n"
            return b"%x\r\n%s\r\n" % (len(line), line)

        def send(event_type, obj):
            handler.wfile.write(encode(event_type, obj))
            self.server.stats.sent(event_type)

        def send_all(events):
            """Events in one write (a write per event cost more than its encoding)."""
            for start in range(0, len(events), 512):
                batch = events[start:start + 512]
                handler.wfile.write(b"".join([encode(t, o) for t, o in batch]))
                self.server.stats.sent("ADDED", len(batch))

        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Cache-Control", "no-cache, private")
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            send_all([("ADDED", store.view(route.rtype, obj)) for obj in initial])
            if send_initial:
                send("BOOKMARK", self._bookmark(watch, {"k8s.io/initial-events-end": "true"}))
            if self._stream(handler, watch, send, send_all, timeout, bookmarks) == "dropped":
                if self.drop_mode == "close":
                    handler.drop_connection()
                    return
                if self.drop_mode == "gone":  # as when the watch cache no longer reaches back
                    send("ERROR", ApiError(410, "Expired", "The resourceVersion for the provided "
                                           "watch is too old.").status())
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            handler.close_connection = True
        finally:
            store.close_watch(watch)

    def _stream(self, handler, watch, send, send_all, timeout, bookmarks):
        store, interval = self.server.store, self.server.options.bookmark_interval
        start = time.monotonic()
        deadline, next_bookmark = start + timeout, start + interval
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "timeout"
            wait = min(deadline - now, 1.0)
            if bookmarks:
                wait = max(0.0, min(wait, next_bookmark - now))
            result = store.next_events(watch, wait)
            if result in ("dropped",):
                return result
            if result == "gone":
                err = ApiError(410, "Expired", "too old resource version: %d (%d)"
                               % (watch.pos, store.events_base - 1))
                send("ERROR", err.status())
                return "gone"
            send_all(result)
            if result:
                # The writes that follow within a moment go out in one write: a
                # wake-up and a write per event cost the double more than the event.
                time.sleep(max(0.0, min(WATCH_BATCH_SECONDS, deadline - time.monotonic())))
            if bookmarks and time.monotonic() >= next_bookmark:
                send("BOOKMARK", self._bookmark(watch))
                next_bookmark = time.monotonic() + interval
            if not result and self._client_gone(handler):
                raise ConnectionResetError()

    @staticmethod
    def _bookmark(watch, annotations=None):
        meta = {"resourceVersion": str(watch.pos)}
        if annotations:
            meta["annotations"] = annotations
        return {"kind": watch.rtype.kind, "apiVersion": watch.rtype.api_version, "metadata": meta}

    @staticmethod
    def _client_gone(handler):
        """A client that closed its end: its socket reads as end-of-file."""
        sock = handler.connection
        if isinstance(sock, ssl.SSLSocket):
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            import socket
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


class Hooks:
    """POST /_double/<hook> with a JSON body; answers JSON."""

    def __init__(self, server):
        self.server = server

    def handle(self, handler, method, path, raw):
        try:
            spec = json.loads(raw) if raw else {}
        except ValueError:
            handler.send_json(400, {"error": "the body must be JSON"})
            return
        name = path[len("/_double/"):].strip("/")
        server = self.server
        if name == "stats":
            handler.send_json(200, server.stats.snapshot(server.store))
        elif name == "reset-stats" and method == "POST":
            server.stats.reset()
            handler.send_json(200, {"ok": True})
        elif name == "drop-watches" and method == "POST":
            server.watches.drop_mode = spec.get("mode", "close")
            server.store.drop_watches()
            handler.send_json(200, {"ok": True})
        elif name == "compact" and method == "POST":
            handler.send_json(200, {"compactedTo": str(server.store.compact())})
        elif name == "fail" and method == "POST":
            server.faults.configure(spec)
            handler.send_json(200, {"ok": True})
        elif name == "faults":
            with server.faults.lock:
                handler.send_json(200, {"seen": server.faults.seen,
                                        "failed": server.faults.failed})
        elif name == "tokens" and method == "POST":
            server.tokens = set(spec.get("tokens") or [])
            handler.send_json(200, {"ok": True})
        else:
            handler.send_json(404, {"error": "no such hook: %s" % name})
