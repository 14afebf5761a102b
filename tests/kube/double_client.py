"""A small HTTP client for the Kubernetes API double's Python tests: JSON
requests over one keep-alive connection, and watch streams read line by line."""

import http.client
import json
import ssl
import unittest

from double_process import DoubleProcess

WS_PATH = "/apis/workspace-operator.io/v1alpha1/namespaces/%s/workspaces"
PC_PATH = "/apis/workspace-operator.io/v1alpha1/providerconfigs"


def workspace(name, namespace="default", labels=None, **spec):
    spec.setdefault("providerConfigRef", {"name": "cadenya-prod"})
    meta = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "workspace-operator.io/v1alpha1", "kind": "Workspace",
            "metadata": meta, "spec": spec}


class Client:
    def __init__(self, double, token=None):
        self.double, self.token = double, token
        self.conn = None

    def _connect(self, timeout=30):
        if self.double.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.double.port, timeout=timeout,
                                               context=context)
        return http.client.HTTPConnection("127.0.0.1", self.double.port, timeout=timeout)

    def _headers(self, content_type, accept):
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        return headers

    def request(self, method, path, body=None, content_type="application/json",
                accept="application/json"):
        """(status, parsed JSON or text, headers)."""
        data = None if body is None else (body if isinstance(body, bytes) else
                                          json.dumps(body).encode())
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(method, path, body=data,
                                  headers=self._headers(content_type if data else None, accept))
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode()
        return resp.status, parsed, dict(resp.getheaders())

    def watch(self, path, timeout=30):
        conn = self._connect(timeout)
        conn.request("GET", path, headers=self._headers(None, "application/json"))
        return WatchStream(conn, conn.getresponse())

    def close(self):
        if self.conn is not None:
            self.conn.close()


class WatchStream:
    def __init__(self, conn, resp):
        self.conn, self.resp, self.status = conn, resp, resp.status

    def next(self):
        """The next event, or None at the end of the stream."""
        line = self.resp.readline()
        if not line:
            return None
        return json.loads(line)

    def until(self, predicate, limit=1000):
        """Events up to and including the first that satisfies predicate."""
        seen = []
        for _ in range(limit):
            event = self.next()
            if event is None:
                raise AssertionError("the watch ended before the expected event: %s" % seen)
            seen.append(event)
            if predicate(event):
                return seen
        raise AssertionError("no expected event in %d: %s" % (limit, seen))

    def close(self):
        self.conn.close()


class DoubleTestCase(unittest.TestCase):
    """One double per test class (plain HTTP, no token); `self.api` talks to it."""

    double_args = ["--bookmark-interval", "0.3"]

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.scratch = tempfile.mkdtemp(prefix="wsop-kube-double-test-")
        cls.double = DoubleProcess(cls.scratch, extra_args=cls.double_args).start()

    @classmethod
    def tearDownClass(cls):
        import shutil
        cls.double.stop()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def setUp(self):
        self.api = Client(self.double)

    def tearDown(self):
        self.api.close()

    def create_ws(self, name, namespace="default", **kwargs):
        status, body, _ = self.api.request("POST", WS_PATH % namespace,
                                           workspace(name, namespace, **kwargs))
        self.assertEqual(status, 201, body)
        return body

    def hook(self, name, body=None):
        status, answer, _ = self.api.request("POST" if body is not None else "GET",
                                             "/_double/" + name, body)
        self.assertEqual(status, 200, answer)
        return answer
