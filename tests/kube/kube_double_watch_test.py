#!/usr/bin/python3
"""KubeDoubleWatch: watches of the Kubernetes API double (resume from a
resourceVersion, synthetic ADDED events, selector transitions, bookmarks,
timeoutSeconds, 410 Gone, dropped watches), its test hooks (failures,
statistics, tokens) and its speed with 10,000 Workspaces."""

import os
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_client import WS_PATH, Client, DoubleTestCase, workspace  # noqa: E402

MERGE = "application/merge-patch+json"
WATCH = WS_PATH % "default" + "?watch=1"


def names(events):
    return [(e["type"], e["object"]["metadata"].get("name")) for e in events]


class Watches(DoubleTestCase):
    def test_resume_from_a_resource_version(self):
        first = self.create_ws("r1")
        rv = first["metadata"]["resourceVersion"]
        self.create_ws("r2")
        self.api.request("PATCH", WS_PATH % "default" + "/r1", {"spec": {"description": "x"}},
                         MERGE)
        self.api.request("DELETE", WS_PATH % "default" + "/r2")
        stream = self.api.watch(WATCH + "&resourceVersion=" + rv)
        events = stream.until(lambda e: e["type"] == "DELETED")
        stream.close()
        self.assertEqual(names(events), [("ADDED", "r2"), ("MODIFIED", "r1"), ("DELETED", "r2")])
        versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
        self.assertEqual(versions, sorted(versions))
        self.assertEqual(events[0]["object"]["kind"], "Workspace")

    def test_without_resource_version_starts_with_every_object(self):
        self.create_ws("s1")
        stream = self.api.watch(WS_PATH % "default" + "?watch=true&fieldSelector=metadata.name%3Ds1")
        event = stream.next()
        self.assertEqual((event["type"], event["object"]["metadata"]["name"]), ("ADDED", "s1"))
        self.api.request("PATCH", WS_PATH % "default" + "/s1", {"spec": {"description": "y"}},
                         MERGE)
        self.assertEqual(stream.next()["type"], "MODIFIED")
        stream.close()

    def test_send_initial_events_ends_with_an_annotated_bookmark(self):
        created = self.create_ws("i1")
        stream = self.api.watch(WATCH + "&sendInitialEvents=true&allowWatchBookmarks=true"
                                "&resourceVersionMatch=NotOlderThan&resourceVersion=" +
                                created["metadata"]["resourceVersion"])
        events = stream.until(lambda e: e["type"] == "BOOKMARK")
        stream.close()
        self.assertIn(("ADDED", "i1"), names(events[:-1]))
        self.assertEqual(events[-1]["object"]["metadata"]["annotations"],
                         {"k8s.io/initial-events-end": "true"})

    def test_label_selector_transitions(self):
        created = self.create_ws("t1", labels={"pick": "yes"})
        path = WS_PATH % "default" + "/t1"
        stream = self.api.watch(WATCH + "&labelSelector=pick%3Dyes&resourceVersion=" +
                                created["metadata"]["resourceVersion"])
        self.api.request("PATCH", path, {"metadata": {"labels": {"pick": "no"}}}, MERGE)
        self.api.request("PATCH", path, {"metadata": {"labels": {"pick": "yes"}}}, MERGE)
        events = [stream.next(), stream.next()]
        stream.close()
        self.assertEqual(names(events), [("DELETED", "t1"), ("ADDED", "t1")])

    def test_bookmarks_and_timeout(self):
        start = time.monotonic()
        stream = self.api.watch(WATCH + "&allowWatchBookmarks=true&timeoutSeconds=2")
        events = []
        while True:
            event = stream.next()
            if event is None:
                break
            events.append(event)
        elapsed = time.monotonic() - start
        stream.close()
        bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
        self.assertTrue(bookmarks, events)
        self.assertEqual(set(bookmarks[0]["object"]["metadata"]), {"resourceVersion"})
        self.assertEqual(bookmarks[0]["object"]["kind"], "Workspace")
        self.assertGreaterEqual(elapsed, 1.5)
        self.assertLess(elapsed, 30)
        stream = self.api.watch(WATCH + "&timeoutSeconds=1")
        while stream.next() is not None:
            pass
        stream.close()
        self.assertEqual(len([e for e in events if e["type"] == "ADDED"]),
                         len(self.api.request("GET", WS_PATH % "default")[1]["items"]))

    def test_too_old_resource_version_is_gone(self):
        created = self.create_ws("g1")
        self.api.request("PATCH", WS_PATH % "default" + "/g1", {"spec": {"description": "z"}},
                         MERGE)
        self.hook("compact", {})
        status, err, _ = self.api.request("GET", WATCH + "&resourceVersion=" +
                                          created["metadata"]["resourceVersion"])
        self.assertEqual((status, err["reason"], err["code"]), (410, "Expired", 410))
        self.assertIn("too old resource version", err["message"])
        status, _, _ = self.api.request("GET", WATCH + "&timeoutSeconds=0&resourceVersion=" +
                                        self.hook("stats")["resourceVersion"])
        self.assertEqual(status, 200)

    def test_dropped_watches_end(self):
        for mode in ("close", "end"):
            stream = self.api.watch(WATCH + "&resourceVersion=" +
                                    self.hook("stats")["resourceVersion"])
            self.hook("drop-watches", {"mode": mode})
            ended = threading.Event()
            try:
                stream.next()
                ended.set()
            except Exception:  # an abrupt close may surface as an error
                ended.set()
            stream.close()
            self.assertTrue(ended.is_set(), mode)
        stream = self.api.watch(WATCH + "&resourceVersion=" + self.hook("stats")["resourceVersion"])
        self.hook("drop-watches", {"mode": "gone"})
        error = stream.next()
        self.assertEqual(error["type"], "ERROR")
        self.assertEqual((error["object"]["code"], error["object"]["reason"]), (410, "Expired"))
        self.assertIsNone(stream.next())
        stream.close()
        deadline = time.monotonic() + 20
        while self.hook("stats")["openWatches"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.hook("stats")["openWatches"], 0)


class Hooks(DoubleTestCase):
    def test_fail_a_share_then_stop(self):
        self.hook("fail", {"ratio": 0.25, "code": 503, "verbs": ["get"]})
        codes = [self.api.request("GET", "/api/v1/namespaces/default")[0] for _ in range(8)]
        self.assertEqual(sorted(codes), [200] * 6 + [503] * 2)
        self.assertEqual(self.api.request("GET", WS_PATH % "default")[0], 200)  # a list
        self.assertEqual(self.hook("faults"), {"seen": 8, "failed": 2})
        self.hook("fail", {"count": 1, "code": 429, "retryAfter": 3,
                           "resources": ["workspaces/status"]})
        self.create_ws("f1")
        status, err, headers = self.api.request("PATCH", WS_PATH % "default" + "/f1/status",
                                                {"status": {"remoteId": "x"}}, MERGE)
        self.assertEqual((status, err["reason"], headers.get("Retry-After")),
                         (429, "TooManyRequests", "3"))
        self.assertEqual(err["details"]["retryAfterSeconds"], 3)
        status, _, _ = self.api.request("PATCH", WS_PATH % "default" + "/f1/status",
                                        {"status": {"remoteId": "x"}}, MERGE)
        self.assertEqual(status, 200)

    def test_delay_without_failing(self):
        self.hook("fail", {"count": 1, "code": 0, "delaySeconds": 1.0, "verbs": ["get"]})
        start = time.monotonic()
        status, _, _ = self.api.request("GET", "/api/v1/namespaces/default")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        self.assertEqual(self.hook("faults")["failed"], 1)

    def test_stats(self):
        self.hook("reset-stats", {})
        self.create_ws("s1")
        self.api.request("GET", WS_PATH % "default")
        self.api.request("GET", "/apis")
        stats = self.hook("stats")
        self.assertEqual(stats["byVerbResource"],
                         {"create workspaces": 1, "list workspaces": 1, "discovery": 1})
        self.assertEqual(stats["total"], 3)
        self.assertEqual(sum(stats["byClient"].values()), 3)


class Tokens(DoubleTestCase):
    double_args = ["--token", "t1", "--token", "t2"]

    def test_bearer_tokens(self):
        status, err, _ = self.api.request("GET", "/api/v1/namespaces")
        self.assertEqual((status, err["reason"]), (401, "Unauthorized"))
        for token, expected in (("t1", 200), ("t2", 200), ("t3", 401)):
            client = Client(self.double, token)
            self.assertEqual(client.request("GET", "/api/v1/namespaces")[0], expected, token)
            client.close()
        self.assertEqual(self.api.request("GET", "/healthz")[0], 200)


class Scale(DoubleTestCase):
    COUNT = 10000

    def test_ten_thousand_workspaces(self):
        start = time.monotonic()
        for i in range(self.COUNT):
            status, body, _ = self.api.request("POST", WS_PATH % "default",
                                               workspace("w%05d" % i, labels={"n": str(i % 10)}))
            self.assertEqual(status, 201, body)
        created = time.monotonic() - start
        start = time.monotonic()
        status, body, _ = self.api.request("GET", WS_PATH % "default")
        listed = time.monotonic() - start
        self.assertEqual(len(body["items"]), self.COUNT)
        start = time.monotonic()
        status, body, _ = self.api.request("GET", WS_PATH % "default" + "?labelSelector=n%3D3")
        selected = time.monotonic() - start
        self.assertEqual(len(body["items"]), self.COUNT // 10)
        print("\n  10,000 creates %.1fs (%.0f/s), list %.2fs, selected list %.2fs"
              % (created, self.COUNT / created, listed, selected))
        self.assertLess(listed, 5.0)  # generous: about 0.1 s on an idle machine


if __name__ == "__main__":
    unittest.main(verbosity=2)
