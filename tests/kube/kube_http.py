"""HTTP layer of the Kubernetes API double: routing of /api and /apis paths to
discovery and to the verbs of kube_store.Store, bearer-token checks, injected
failures, request statistics, and watches streamed with chunked encoding.
The /_double/ test hooks live in kube_hooks.py."""

import random
import socket
import traceback
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import kube_bodies
import kube_discovery as disco
import kube_openapi
import kube_schema
from kube_store import dumps
from kube_util import (ApiError, bad_request, parse_field_selector,
                       parse_label_selector)
from kube_wire import LeanWire

_NOT_FOUND_PATH = ApiError(404, "NotFound", "the server could not find the requested resource")


class Route:
    """What a request path names: discovery, or a resource (collection, object, subresource)."""

    def __init__(self):
        self.discovery = None  # a callable giving the document, for discovery paths
        self.rtype = None
        self.namespace = ""
        self.name = ""
        self.subresource = None


def _flag(query, name):
    return query.get(name, [""])[0] in ("1", "true", "True")


class Handler(LeanWire, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wsop-kube-double"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed, as Go's server does

    def log_message(self, fmt, *args):
        if self.server.options.verbose:
            super().log_message(fmt, *args)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_PATCH(self):
        self._serve("PATCH")

    def do_DELETE(self):
        self._serve("DELETE")

    # ---- plumbing -------------------------------------------------------

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self, raw):
        return kube_bodies.parse_body(self.headers.get("Content-Type", ""), raw)

    def setup(self):
        super().setup()
        # Small answers go out at once, not after the peer's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_error_status(self, err):
        self.server.stats.code(err.code)
        self.send_json(err.code, err.status(), err.headers)

    def _authorized(self):
        tokens = self.server.tokens
        if not tokens:
            return True
        header = self.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[len("Bearer "):].strip() in tokens

    # ---- dispatch -------------------------------------------------------

    def _serve(self, method):
        if self.path.startswith("/") and "#" not in self.path:  # origin form: the usual one
            path, _, query_text = self.path.partition("?")
        else:
            url = urlsplit(self.path)
            path, query_text = url.path, url.query
        query = parse_qs(query_text) if query_text else {}
        raw = self._body()
        if path.startswith("/_double/"):
            self.server.hooks.handle(self, method, path, raw)
            return
        if path in ("/healthz", "/livez", "/readyz"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            return
        if not self._authorized():
            self.server.stats.count("unauthorized", "")
            self.send_error_status(ApiError(401, "Unauthorized", "Unauthorized"))
            return
        try:
            route = self._route(path)
            verb = self._verb(method, route, query)
            resource = route.rtype.plural if route.rtype else ""
            if route.subresource:
                resource += "/" + route.subresource
            self.server.stats.count(verb, resource, self.headers.get("User-Agent", ""))
            failure = self.server.faults.decide(verb, resource)
            if failure is not None:
                raise failure
            if route.discovery is not None:
                document = route.discovery()
                if document is None:
                    raise _NOT_FOUND_PATH
                self.send_json(200, document)
                return
            self._resource(verb, route, query, raw)
        except ApiError as err:
            self.send_error_status(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as err:  # a bug of the double: say so instead of resetting
            traceback.print_exc()
            self.send_error_status(ApiError(500, "InternalError",
                                            "Internal error occurred: kube double: %r" % err))

    def _route(self, path):
        parts = [p for p in path.split("/") if p]
        registry, route = self.server.registry, Route()
        if parts == ["version"]:
            route.discovery = lambda: disco.SERVER_VERSION
            return route
        if parts[:2] == ["openapi", "v3"]:
            route.discovery = lambda: kube_openapi.document_for(registry, path)
            return route
        if parts[:1] == ["api"]:
            group, rest = "", parts[1:]
            if not rest:
                route.discovery = lambda: disco.api_versions("127.0.0.1:%d" % self.server.port)
                return route
            version, rest = rest[0], rest[1:]
        elif parts[:1] == ["apis"]:
            rest = parts[1:]
            if not rest:
                route.discovery = lambda: disco.api_group_list(registry)
                return route
            if len(rest) == 1:
                route.discovery = lambda: disco.api_group(registry, rest[0])
                return route
            group, version, rest = rest[0], rest[1], rest[2:]
        else:
            raise _NOT_FOUND_PATH
        if not rest:
            route.discovery = lambda: registry.resource_list(group, version)
            return route
        if rest[0] == "namespaces" and len(rest) >= 3 and not (len(rest) == 3 and rest[2] in (
                "status", "finalize")):
            route.namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            raise _NOT_FOUND_PATH
        route.rtype = registry.lookup(group, version, rest[0])
        if route.rtype is None or (route.namespace and not route.rtype.namespaced):
            raise _NOT_FOUND_PATH
        route.name = rest[1] if len(rest) > 1 else ""
        route.subresource = rest[2] if len(rest) > 2 else None
        if route.subresource and not (route.subresource == "status" and route.rtype.has_status or
                                      route.subresource == "finalize" and
                                      route.rtype.plural == "namespaces"):
            raise _NOT_FOUND_PATH
        return route

    @staticmethod
    def _verb(method, route, query):
        if route.discovery is not None:
            return "discovery"
        if method == "GET":
            if route.name:
                return "get"
            return "watch" if _flag(query, "watch") else "list"
        verbs = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
        if not route.name:
            return {"POST": "create", "DELETE": "deletecollection"}.get(method, "unsupported")
        return "unsupported" if method == "POST" else verbs[method]

    # ---- resources ------------------------------------------------------

    def _selector(self, rtype, query):
        labels = parse_label_selector(query.get("labelSelector", [""])[0])
        fields = parse_field_selector(query.get("fieldSelector", [""])[0], rtype.supports_field)
        if labels is None and fields is None:
            return None
        return lambda o: ((labels is None or labels(o["metadata"].get("labels")))
                          and (fields is None or fields(o)))

    def _resource(self, verb, route, query, raw):
        store, rtype = self.server.store, route.rtype
        if rtype.namespaced and not route.namespace and verb not in ("list", "watch"):
            raise _NOT_FOUND_PATH
        dry_run = "All" in query.get("dryRun", [])
        strict = query.get("fieldValidation", [""])[0] == "Strict"
        kube_schema.pruned.fields = []
        if verb == "list":
            self._list(route, query)
        elif verb == "watch":
            self.server.watches.serve(self, route, query, self._selector(rtype, query))
        elif verb == "get":
            self._send_object(rtype, store.get(rtype, route.namespace, route.name), query)
        elif verb == "create":
            obj = self._json_body(raw)
            if not isinstance(obj, dict):
                raise bad_request("the body must be a JSON object")
            created = store.create(rtype, route.namespace, obj, dry_run, strict)
            self._send_object(rtype, created, query, 201)
        elif verb == "update":
            obj = self._json_body(raw)
            updated = store.update(rtype, route.namespace, route.name, obj, route.subresource,
                                   dry_run, strict=strict)
            self._send_object(rtype, updated, query)
        elif verb == "patch":
            self._patch(route, query, raw, dry_run, strict)
        elif verb == "delete":
            options = self._json_body(raw) or {}
            deleted = store.delete(rtype, route.namespace, route.name,
                                   options.get("preconditions"), dry_run)
            self._send_object(rtype, deleted, query)
        elif verb == "deletecollection":
            self._delete_collection(route, query, dry_run)
        else:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")

    def _send_object(self, rtype, obj, query, code=200):
        obj = self.server.store.view(rtype, obj)
        warnings = {}
        for field in getattr(kube_schema.pruned, "fields", None) or []:
            warnings.setdefault("Warning", [])
            warnings["Warning"].append('299 - "unknown field \\"%s\\""' % field)
        kube_schema.pruned.fields = []
        if disco.wants_table(self.headers.get("Accept")):
            include = query.get("includeObject", ["Metadata"])[0]
            body = disco.table(rtype, [obj], obj["metadata"].get("resourceVersion", ""), include)
            self.send_json(code, body, warnings)
            return
        if disco.wants_metadata(self.headers.get("Accept")):
            obj = disco.partial(obj)
        elif not rtype.to_view:
            obj = self.server.store.encoded(rtype, obj)  # the watches send the same bytes
        self.send_json(code, obj, warnings)

    def _list(self, route, query):
        rtype, store = route.rtype, self.server.store
        try:
            limit = int(query.get("limit", ["0"])[0] or 0)
        except ValueError:
            raise bad_request("invalid limit")
        if query.get("resourceVersion", [""])[0] == "0" and not query.get("continue", [""])[0]:
            # kube-apiserver answers resourceVersion=0 from its watch cache,
            # which does not page: the limit is ignored and the list is whole.
            limit = 0
        items, rv, token, remaining = store.list(rtype, route.namespace,
                                                 self._selector(rtype, query), limit,
                                                 query.get("continue", [""])[0] or None)
        if disco.wants_table(self.headers.get("Accept")):
            include = query.get("includeObject", ["Metadata"])[0]
            views = [store.view(rtype, o) for o in items]
            self.send_json(200, disco.table(rtype, views, rv, include, True, token, remaining))
            return
        meta = {"resourceVersion": rv}
        if token:
            meta["continue"] = token
            meta["remainingItemCount"] = remaining
        if disco.wants_metadata(self.headers.get("Accept")):
            self.send_json(200, {"kind": "PartialObjectMetadataList",
                                 "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                                 "items": [disco.partial(o) for o in items]})
            return
        head = dumps({"kind": rtype.kind + "List", "apiVersion": rtype.api_version,
                      "metadata": meta})
        if rtype.crd:
            parts = [store.encoded(rtype, o) for o in items]
        else:  # built-in lists carry their items without kind and apiVersion
            parts = [dumps({k: v for k, v in store.view(rtype, o).items()
                            if k not in ("kind", "apiVersion")}) for o in items]
        self.send_json(200, head[:-1] + b',"items":[' + b",".join(parts) + b"]}")

    def _patch(self, route, query, raw, dry_run, strict):
        rtype = route.rtype
        content_type = kube_bodies.check_patch_type(rtype, self.headers.get("Content-Type", ""))
        patch = self._json_body(raw)
        if content_type == "application/apply-patch+yaml":
            if not query.get("fieldManager", [""])[0]:
                raise ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: "
                               "fieldManager: Required value: is required for apply patch")
            if not isinstance(patch, dict):
                raise bad_request("the apply patch must be an object")
            if not self._exists(route):
                # Server-side apply creates what does not exist (field ownership is not kept).
                created = self.server.store.create(rtype, route.namespace, patch, dry_run, strict)
                self._send_object(rtype, created, query, 201)
                return
        mutate = kube_bodies.patch_mutator(content_type, patch)
        updated = self.server.store.update(rtype, route.namespace, route.name, None,
                                           route.subresource, dry_run, mutate, strict)
        self._send_object(rtype, updated, query)

    def _exists(self, route):
        try:
            self.server.store.get(route.rtype, route.namespace, route.name)
            return True
        except ApiError:
            return False

    def _delete_collection(self, route, query, dry_run):
        rtype, store = route.rtype, self.server.store
        items, rv, _, _ = store.list(rtype, route.namespace, self._selector(rtype, query))
        deleted = []
        for obj in items:
            try:
                deleted.append(store.delete(rtype, obj["metadata"].get("namespace", ""),
                                            obj["metadata"]["name"], None, dry_run))
            except ApiError:
                continue
        self.send_json(200, {"kind": rtype.kind + "List", "apiVersion": rtype.api_version,
                             "metadata": {"resourceVersion": rv},
                             "items": [store.view(rtype, o) for o in deleted]})

    def drop_connection(self):
        """Ends the connection at once, as a restarting API server does."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def watch_timeout(query, min_request_timeout):
    if "timeoutSeconds" in query:
        try:
            return max(0.0, float(query["timeoutSeconds"][0]))
        except ValueError:
            raise bad_request("invalid timeoutSeconds")
    # kube-apiserver ends a watch without timeoutSeconds after a random
    # time between --min-request-timeout and twice that.
    return min_request_timeout * (1 + random.random())

