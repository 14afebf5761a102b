#!/usr/bin/python3
"""KubeDoubleProtocol: the Kubernetes API double follows kube-apiserver's
conventions for discovery, create / update / patch / delete, the status
subresource and generation, finalizers, selectors, pagination, Tables,
events in both API groups, namespaces, secrets and leases."""

import json
import os
import socket
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_client import PC_PATH, WS_PATH, DoubleTestCase, workspace  # noqa: E402

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
MERGE = "application/merge-patch+json"


class Discovery(DoubleTestCase):
    def test_groups_and_resources(self):
        status, body, _ = self.api.request("GET", "/apis")
        self.assertEqual(status, 200)
        groups = {g["name"]: g for g in body["groups"]}
        self.assertEqual(groups["workspace-operator.io"]["preferredVersion"]["groupVersion"],
                         "workspace-operator.io/v1alpha1")
        for name in ("events.k8s.io", "coordination.k8s.io", "apiextensions.k8s.io"):
            self.assertIn(name, groups)
        _, body, _ = self.api.request("GET", "/apis/workspace-operator.io/v1alpha1")
        resources = {r["name"]: r for r in body["resources"]}
        self.assertTrue(resources["workspaces"]["namespaced"])
        self.assertFalse(resources["providerconfigs"]["namespaced"])
        self.assertEqual(resources["workspaces"]["shortNames"], ["ws"])
        self.assertIn("watch", resources["workspaces"]["verbs"])
        self.assertEqual(resources["workspaces/status"]["verbs"], ["get", "patch", "update"])
        _, body, _ = self.api.request("GET", "/api/v1")
        names = {r["name"] for r in body["resources"]}
        self.assertTrue({"namespaces", "secrets", "events", "namespaces/status"} <= names)
        _, body, _ = self.api.request("GET", "/api")
        self.assertEqual(body["versions"], ["v1"])
        status, body, _ = self.api.request("GET", "/version")
        self.assertEqual((status, body["major"], body["minor"]), (200, "1", "32"))

    def test_unknown_paths_are_metav1_not_found(self):
        for path in ("/apis/nope.io/v1", "/apis/workspace-operator.io/v1alpha1/nothings",
                     "/api/v1/namespaces/default/workspaces"):
            status, body, _ = self.api.request("GET", path)
            self.assertEqual((status, body["kind"], body["reason"]), (404, "Status", "NotFound"),
                             path)


class Wire(DoubleTestCase):
    """The request parsing and answers of kube_wire.py, on a raw socket."""

    def exchange(self, *requests):
        """Sends the requests on one connection, then reads until the server closes it."""
        sock = socket.create_connection(("127.0.0.1", self.double.port), timeout=30)
        with sock:
            sock.sendall(b"".join(requests))
            received = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return received.decode("latin-1")
                received += chunk

    def test_keep_alive_header_case_and_close(self):
        body = json.dumps(workspace("wire")).encode()
        path = (WS_PATH % "default").encode()
        answer = self.exchange(
            b"POST " + path + b" HTTP/1.1\r\nhost: x\r\ncontent-TYPE: application/json\r\n"
            b"CONTENT-LENGTH: %d\r\n\r\n" % len(body) + body,
            b"GET " + path + b"/wire?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(answer.startswith("HTTP/1.1 201 Created\r\n"), answer[:200])
        self.assertEqual(answer.count("HTTP/1.1 "), 2, answer)
        second = answer[answer.index("HTTP/1.1 200 OK"):]
        head, _, rest = second.partition("\r\n\r\n")
        self.assertIn("Content-Type: application/json", head)
        length = int(head.split("Content-Length: ")[1].split("\r\n")[0])
        self.assertEqual(json.loads(rest[:length])["metadata"]["name"], "wire")
        self.assertEqual(len(rest), length)  # nothing after: the connection was closed

    def test_http_1_0_closes_and_bad_request_lines_are_400(self):
        answer = self.exchange(b"GET /version HTTP/1.0\r\n\r\nGET /version HTTP/1.0\r\n\r\n")
        self.assertEqual(answer.count("HTTP/1.1 200 OK"), 1, answer)
        self.assertTrue(self.exchange(b"NONSENSE\r\n\r\n").startswith("HTTP/1.1 400 "))
        self.assertTrue(self.exchange(b"GET / HTTP/2.0\r\n\r\n").startswith("HTTP/1.1 505 "))
        answer = self.exchange(b"GET /version HTTP/1.1\r\nbroken header line\r\n\r\n")
        self.assertTrue(answer.startswith("HTTP/1.1 400 "), answer[:100])


class Writes(DoubleTestCase):
    def test_create_sets_server_fields_and_drops_status(self):
        body = workspace("created")
        body["status"] = {"remoteId": "ignored"}
        status, obj, _ = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual(status, 201, obj)
        meta = obj["metadata"]
        self.assertEqual(meta["generation"], 1)
        self.assertTrue(meta["uid"] and meta["creationTimestamp"].endswith("Z"))
        self.assertTrue(int(meta["resourceVersion"]) > 0)
        self.assertNotIn("status", obj)
        status, err, _ = self.api.request("POST", WS_PATH % "default", workspace("created"))
        self.assertEqual((status, err["reason"]), (409, "AlreadyExists"))
        self.assertEqual(err["details"]["name"], "created")

    def test_a_list_at_resource_version_zero_ignores_the_limit(self):
        """kube-apiserver serves resourceVersion=0 from its watch cache, which does not
        page (client-go's first list relies on it): whole, with no continue token."""
        status, _, _ = self.api.request("POST", "/api/v1/namespaces",
                                        {"metadata": {"name": "whole"}})
        self.assertEqual(status, 201)
        for name in ("w1", "w2", "w3"):
            self.assertEqual(self.api.request("POST", WS_PATH % "whole",
                                              workspace(name, "whole"))[0], 201)
        _, whole, _ = self.api.request("GET", WS_PATH % "whole" + "?limit=2&resourceVersion=0")
        self.assertEqual(len(whole["items"]), 3)
        self.assertNotIn("continue", whole["metadata"])
        _, paged, _ = self.api.request("GET", WS_PATH % "whole" + "?limit=2")
        self.assertEqual(len(paged["items"]), 2)
        self.assertIn("continue", paged["metadata"])

    def test_later_pages_are_served_as_of_the_first(self):
        """etcd serves a continued list from the first page's snapshot: an informer that
        lists, then watches from the list's resourceVersion, never sees an object go back."""
        status, _, _ = self.api.request("POST", "/api/v1/namespaces",
                                        {"metadata": {"name": "pages"}})
        self.assertEqual(status, 201)
        for name in ("p1", "p2", "p3", "p4"):
            status, _, _ = self.api.request("POST", WS_PATH % "pages", workspace(name, "pages"))
            self.assertEqual(status, 201)
        path = WS_PATH % "pages" + "?limit=2"
        _, first, _ = self.api.request("GET", path)
        listed_rv = first["metadata"]["resourceVersion"]
        _, p3, _ = self.api.request("GET", WS_PATH % "pages" + "/p3")
        status, _, _ = self.api.request("PATCH", WS_PATH % "pages" + "/p3",
                                        {"metadata": {"labels": {"later": "yes"}}},
                                        content_type=MERGE)
        self.assertEqual(status, 200)
        self.assertEqual(self.api.request("DELETE", WS_PATH % "pages" + "/p4")[0], 200)
        self.assertEqual(self.api.request("POST", WS_PATH % "pages",
                                          workspace("p5", "pages"))[0], 201)
        from urllib.parse import quote
        _, rest, _ = self.api.request("GET", path + "&continue=" +
                                      quote(first["metadata"]["continue"]))
        self.assertEqual(rest["metadata"]["resourceVersion"], listed_rv)
        self.assertEqual([i["metadata"]["name"] for i in rest["items"]], ["p3", "p4"])
        self.assertEqual(rest["items"][0]["metadata"]["resourceVersion"],
                         p3["metadata"]["resourceVersion"])
        self.assertNotIn("labels", rest["items"][0]["metadata"])

    def test_kind_uid_and_name_rules(self):
        body = workspace("nokind")
        del body["kind"]
        status, err, _ = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual(status, 400, err)
        self.assertIn("Object 'Kind' is missing", err["message"])
        obj = self.create_ws("uid")
        obj["metadata"]["uid"] = "another"
        status, err, _ = self.api.request("PUT", WS_PATH % "default" + "/uid", obj)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        status, err, _ = self.api.request("POST", "/api/v1/namespaces",
                                          {"metadata": {"name": "Not.A.Label"}})
        self.assertEqual((status, err["reason"]), (422, "Invalid"))

    def test_generate_name_and_missing_namespace(self):
        body = workspace("")
        body["metadata"] = {"generateName": "gen-"}
        status, obj, _ = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual(status, 201, obj)
        self.assertRegex(obj["metadata"]["name"], r"^gen-[a-z0-9]{5}$")
        status, err, _ = self.api.request("POST", WS_PATH % "absent", workspace("x", "absent"))
        self.assertEqual((status, err["reason"]), (404, "NotFound"))
        self.assertIn('namespaces "absent" not found', err["message"])

    def test_update_conflicts_generation_and_no_op(self):
        obj = self.create_ws("upd")
        path = WS_PATH % "default" + "/upd"
        stale = dict(obj, metadata=dict(obj["metadata"]))
        obj["spec"]["displayName"] = "New name"
        status, updated, _ = self.api.request("PUT", path, obj)
        self.assertEqual(status, 200, updated)
        self.assertEqual(updated["metadata"]["generation"], 2)
        status, err, _ = self.api.request("PUT", path, stale)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        self.assertIn("the object has been modified", err["message"])
        without_rv = dict(updated, metadata={k: v for k, v in updated["metadata"].items()
                                             if k != "resourceVersion"})
        status, err, _ = self.api.request("PUT", path, without_rv)
        self.assertEqual((status, err["reason"]), (422, "Invalid"))
        # Labels only: no generation bump. The same object again: no write at all.
        status, labelled, _ = self.api.request("PATCH", path, {"metadata": {"labels": {"a": "b"}}},
                                               MERGE)
        self.assertEqual(labelled["metadata"]["generation"], 2)
        status, same, _ = self.api.request("PATCH", path, {"metadata": {"labels": {"a": "b"}}},
                                           MERGE)
        self.assertEqual(same["metadata"]["resourceVersion"],
                         labelled["metadata"]["resourceVersion"])

    def test_status_subresource(self):
        obj = self.create_ws("st")
        path = WS_PATH % "default" + "/st"
        status, patched, _ = self.api.request(
            "PATCH", path + "/status",
            {"spec": {"displayName": "not here"}, "status": {"remoteId": "r1"}}, MERGE)
        self.assertEqual(status, 200, patched)
        self.assertEqual(patched["status"], {"remoteId": "r1"})
        self.assertNotIn("displayName", patched["spec"])
        self.assertEqual(patched["metadata"]["generation"], 1)
        status, got, _ = self.api.request("GET", path + "/status")
        self.assertEqual(got["status"]["remoteId"], "r1")
        # PUT on the main resource keeps the stored status.
        patched["status"] = {"remoteId": "overwritten"}
        patched["spec"]["description"] = "d"
        status, put, _ = self.api.request("PUT", path, patched)
        self.assertEqual((status, put["status"]["remoteId"]), (200, "r1"))
        self.assertEqual(put["metadata"]["generation"], 2)
        # PUT on /status with a stale resourceVersion conflicts.
        stale = dict(obj, status={"remoteId": "r2"})
        status, err, _ = self.api.request("PUT", path + "/status", stale)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))

    def test_patch_types(self):
        self.create_ws("pt", labels={"keep": "1", "drop": "1"})
        path = WS_PATH % "default" + "/pt"
        status, obj, _ = self.api.request(
            "PATCH", path, [{"op": "remove", "path": "/metadata/labels/drop"},
                            {"op": "add", "path": "/spec/description", "value": "x"}],
            "application/json-patch+json")
        self.assertEqual(status, 200, obj)
        self.assertEqual(obj["metadata"]["labels"], {"keep": "1"})
        self.assertEqual(obj["spec"]["description"], "x")
        status, err, _ = self.api.request("PATCH", path, [{"op": "remove", "path": "/spec/nope"}],
                                          "application/json-patch+json")
        self.assertEqual(status, 422, err)
        status, err, _ = self.api.request("PATCH", path, {"spec": {}},
                                          "application/strategic-merge-patch+json")
        self.assertEqual((status, err["reason"]), (415, "UnsupportedMediaType"))
        status, err, _ = self.api.request(
            "PATCH", path, {"metadata": {"resourceVersion": "1"}, "spec": {"description": "y"}},
            MERGE)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))

    def test_server_side_apply_creates_then_merges(self):
        body = workspace("ssa")
        path = WS_PATH % "default" + "/ssa"
        apply = "application/apply-patch+yaml"
        status, err, _ = self.api.request("PATCH", path, body, apply)
        self.assertEqual((status, err["reason"]), (422, "Invalid"))
        status, obj, _ = self.api.request("PATCH", path + "?fieldManager=t", body, apply)
        self.assertEqual((status, obj["metadata"]["generation"]), (201, 1))
        body["spec"]["description"] = "applied"
        status, obj, _ = self.api.request("PATCH", path + "?fieldManager=t", body, apply)
        self.assertEqual((status, obj["spec"]["description"]), (200, "applied"))

    def test_delete_with_finalizer(self):
        self.create_ws("fin")
        path = WS_PATH % "default" + "/fin"
        self.api.request("PATCH", path, {"metadata": {"finalizers": ["x.io/f"]}}, MERGE)
        status, obj, _ = self.api.request("DELETE", path)
        self.assertEqual(status, 200)
        self.assertTrue(obj["metadata"]["deletionTimestamp"])
        self.assertEqual(obj["metadata"]["generation"], 2)
        status, again, _ = self.api.request("DELETE", path)
        self.assertEqual((status, again["metadata"]["resourceVersion"]),
                         (200, obj["metadata"]["resourceVersion"]))
        status, err, _ = self.api.request(
            "PATCH", path, {"metadata": {"finalizers": ["x.io/f", "x.io/new"]}}, MERGE)
        self.assertEqual((status, err["reason"]), (422, "Invalid"))
        status, _, _ = self.api.request("GET", path)
        self.assertEqual(status, 200)
        status, _, _ = self.api.request("PATCH", path, {"metadata": {"finalizers": None}}, MERGE)
        self.assertEqual(status, 200)
        status, err, _ = self.api.request("GET", path)
        self.assertEqual((status, err["reason"]), (404, "NotFound"))

    def test_delete_preconditions(self):
        obj = self.create_ws("pre")
        path = WS_PATH % "default" + "/pre"
        status, err, _ = self.api.request("DELETE", path, {"preconditions": {"uid": "other"}})
        self.assertEqual((status, err["reason"]), (409, "Conflict"))
        status, _, _ = self.api.request("DELETE", path,
                                        {"preconditions": {"uid": obj["metadata"]["uid"]}})
        self.assertEqual(status, 200)


class Reads(DoubleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from double_client import Client
        api = Client(cls.double)
        for ns in ("ns-a", "ns-b"):
            api.request("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
        specs = [("w1", "ns-a", {"tier": "gold", "team": "x"}), ("w2", "ns-a", {"tier": "silver"}),
                 ("w3", "ns-b", {"tier": "gold"}), ("w4", "ns-b", None)]
        for name, ns, labels in specs:
            api.request("POST", WS_PATH % ns, workspace(name, ns, labels))
        api.request("PATCH", WS_PATH % "ns-a" + "/w1/status",
                    {"status": {"atProvider": {"remoteId": "r-1"}, "conditions": [
                        {"type": "Synced", "status": "False"},
                        {"type": "Ready", "status": "True"}]}}, MERGE)
        api.close()

    def names(self, path):
        status, body, _ = self.api.request("GET", path)
        self.assertEqual(status, 200, body)
        return sorted(i["metadata"]["name"] for i in body["items"])

    def test_label_selectors(self):
        base = "/apis/workspace-operator.io/v1alpha1/workspaces?labelSelector="
        cases = {"tier=gold": ["w1", "w3"], "tier==gold": ["w1", "w3"],
                 "tier!=gold": ["w2", "w4"], "tier in (gold,silver)": ["w1", "w2", "w3"],
                 "tier notin (gold)": ["w2", "w4"], "team": ["w1"], "!tier": ["w4"],
                 "tier=gold,team=x": ["w1"]}
        for selector, expected in cases.items():
            from urllib.parse import quote
            self.assertEqual(self.names(base + quote(selector)), expected, selector)
        status, err, _ = self.api.request("GET", base + "tier%3D%3D%3Dx%20y")
        self.assertEqual(status, 400, err)

    def test_field_selectors_and_namespaces(self):
        self.assertEqual(self.names(WS_PATH % "ns-a"), ["w1", "w2"])
        self.assertEqual(self.names("/apis/workspace-operator.io/v1alpha1/workspaces"
                                    "?fieldSelector=metadata.namespace%3Dns-b"), ["w3", "w4"])
        self.assertEqual(self.names(WS_PATH % "ns-b" + "?fieldSelector=metadata.name%3Dw4"),
                         ["w4"])
        self.assertEqual(self.names(WS_PATH % "ns-b" + "?fieldSelector=metadata.name!%3Dw4"),
                         ["w3"])
        status, _, _ = self.api.request("GET", WS_PATH % "ns-b" + "?fieldSelector=spec.x%3D1")
        self.assertEqual(status, 400)

    def test_list_shape_and_pages(self):
        status, body, _ = self.api.request("GET", WS_PATH % "ns-a")
        self.assertEqual((body["kind"], body["apiVersion"]),
                         ("WorkspaceList", "workspace-operator.io/v1alpha1"))
        self.assertEqual(body["items"][0]["kind"], "Workspace")
        path = "/apis/workspace-operator.io/v1alpha1/workspaces?limit=3"
        _, first, _ = self.api.request("GET", path)
        self.assertEqual(len(first["items"]), 3)
        self.assertEqual(first["metadata"]["remainingItemCount"], 1)
        from urllib.parse import quote
        _, rest, _ = self.api.request("GET", path + "&continue=" +
                                      quote(first["metadata"]["continue"]))
        self.assertEqual([i["metadata"]["name"] for i in rest["items"]], ["w4"])
        self.assertNotIn("continue", rest["metadata"])
        _, namespaces, _ = self.api.request("GET", "/api/v1/namespaces")
        self.assertNotIn("kind", namespaces["items"][0])  # built-in items: no kind

    def test_partial_object_metadata(self):
        accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
        _, listed, _ = self.api.request("GET", WS_PATH % "ns-a", accept=accept)
        self.assertEqual(listed["kind"], "PartialObjectMetadataList")
        self.assertEqual(set(listed["items"][0]), {"kind", "apiVersion", "metadata"})
        _, one, _ = self.api.request("GET", WS_PATH % "ns-a" + "/w1",
                                     accept=accept.replace("List", ""))
        self.assertEqual((one["kind"], one["metadata"]["name"]), ("PartialObjectMetadata", "w1"))

    def test_tables(self):
        status, table, _ = self.api.request("GET", WS_PATH % "ns-a", accept=TABLE)
        self.assertEqual((status, table["kind"], table["apiVersion"]),
                         (200, "Table", "meta.k8s.io/v1"))
        columns = [c["name"] for c in table["columnDefinitions"]]
        self.assertEqual(columns, ["Name", "Provider", "Ready", "Synced", "Remote-ID", "Age"])
        row = table["rows"][0]
        self.assertEqual(row["cells"][:5], ["w1", "cadenya-prod", "True", "False", "r-1"])
        self.assertRegex(row["cells"][5], r"^\d+s$")
        self.assertEqual(row["object"]["kind"], "PartialObjectMetadata")
        self.assertEqual(table["rows"][1]["cells"][2:5], [None, None, None])
        _, full, _ = self.api.request("GET", WS_PATH % "ns-a" + "/w1?includeObject=Object",
                                      accept=TABLE)
        self.assertEqual(full["rows"][0]["object"]["kind"], "Workspace")
        _, bare, _ = self.api.request("GET", WS_PATH % "ns-a" + "?includeObject=None",
                                      accept=TABLE)
        self.assertNotIn("object", bare["rows"][0])
        _, pcs, _ = self.api.request("GET", PC_PATH, accept=TABLE)
        self.assertEqual([c["name"] for c in pcs["columnDefinitions"]],
                         ["Name", "Type", "Base URL", "Age"])


class Builtins(DoubleTestCase):
    def test_events_in_both_groups_are_the_same_objects(self):
        event = {"metadata": {"name": "e1"}, "eventTime": "2026-01-01T00:00:00.000000Z",
                 "reportingController": "c", "reportingInstance": "i", "action": "Create",
                 "reason": "Created", "type": "Normal", "note": "hello",
                 "regarding": {"kind": "Workspace", "name": "w", "namespace": "default"}}
        status, created, _ = self.api.request(
            "POST", "/apis/events.k8s.io/v1/namespaces/default/events", event)
        self.assertEqual(status, 201, created)
        self.assertEqual(created["apiVersion"], "events.k8s.io/v1")
        _, core, _ = self.api.request(
            "GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dw")
        self.assertEqual(len(core["items"]), 1)
        self.assertEqual(core["items"][0]["message"], "hello")
        self.assertEqual(core["items"][0]["involvedObject"]["kind"], "Workspace")
        self.assertEqual(core["items"][0]["reportingComponent"], "c")

    def test_an_events_k8s_io_event_needs_its_fields(self):
        status, err, _ = self.api.request(
            "POST", "/apis/events.k8s.io/v1/namespaces/default/events",
            {"metadata": {"name": "bad"}, "type": "Info", "note": "x" * 2000})
        self.assertEqual((status, err["reason"]), (422, "Invalid"), err)
        fields = {c["field"] for c in err["details"]["causes"]}
        self.assertEqual(fields, {"eventTime", "reportingController", "reportingInstance",
                                  "action", "reason", "type", "note"})
        status, _, _ = self.api.request("POST", "/api/v1/namespaces/default/events",
                                        {"metadata": {"name": "legacy"}, "message": "m",
                                         "involvedObject": {"kind": "Workspace", "name": "w-legacy"}})
        self.assertEqual(status, 201)  # core/v1 keeps its looser rules

    def test_secrets_and_leases(self):
        secret = {"metadata": {"name": "creds"}, "type": "Opaque", "data": {"token": "c2VjcmV0"}}
        status, _, _ = self.api.request("POST", "/api/v1/namespaces/default/secrets", secret)
        self.assertEqual(status, 201)
        status, got, _ = self.api.request("GET", "/api/v1/namespaces/default/secrets/creds")
        self.assertEqual((got["kind"], got["data"]["token"]), ("Secret", "c2VjcmV0"))
        lease_path = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        lease = {"metadata": {"name": "leader"},
                 "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}}
        status, created, _ = self.api.request("POST", lease_path, lease)
        self.assertEqual(status, 201, created)
        mine = dict(created, spec=dict(created["spec"], holderIdentity="b"))
        theirs = dict(created, spec=dict(created["spec"], holderIdentity="c"))
        self.assertEqual(self.api.request("PUT", lease_path + "/leader", mine)[0], 200)
        status, err, _ = self.api.request("PUT", lease_path + "/leader", theirs)
        self.assertEqual((status, err["reason"]), (409, "Conflict"))

    def test_namespace_terminates_after_its_objects(self):
        self.api.request("POST", "/api/v1/namespaces", {"metadata": {"name": "doomed"}})
        self.create_ws("held", "doomed")
        path = WS_PATH % "doomed" + "/held"
        self.api.request("PATCH", path, {"metadata": {"finalizers": ["x.io/f"]}}, MERGE)
        status, ns, _ = self.api.request("DELETE", "/api/v1/namespaces/doomed")
        self.assertEqual((status, ns["status"]["phase"]), (200, "Terminating"))
        status, err, _ = self.api.request("POST", WS_PATH % "doomed", workspace("new", "doomed"))
        self.assertEqual((status, err["reason"]), (403, "Forbidden"))
        self.api.request("PATCH", path, {"metadata": {"finalizers": None}}, MERGE)
        status, _, _ = self.api.request("GET", "/api/v1/namespaces/doomed")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
