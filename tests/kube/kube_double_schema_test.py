#!/usr/bin/python3
"""KubeDoubleProtocol (second part): custom resources are pruned, defaulted
and validated by their CRD's openAPIV3Schema as kube-apiserver does."""

import json
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_client import PC_PATH, WS_PATH, DoubleTestCase, workspace  # noqa: E402
import kube_api_double  # noqa: E402
from kube_bodies import patch_mutator  # noqa: E402

MERGE = "application/merge-patch+json"


class Schema(DoubleTestCase):
    def test_defaults_and_pruning(self):
        body = workspace("sch", extra="x")
        body["spec"]["providerConfigRef"]["also"] = 1
        status, obj, headers = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual(status, 201, obj)
        self.assertEqual(obj["spec"]["deletionPolicy"], "Delete")
        self.assertEqual(obj["spec"]["managementPolicy"], "Full")
        self.assertNotIn("extra", obj["spec"])
        self.assertEqual(obj["spec"]["providerConfigRef"], {"name": "cadenya-prod"})
        self.assertIn("unknown field", headers.get("Warning", ""))
        status, err, _ = self.api.request("POST", WS_PATH % "default" + "?fieldValidation=Strict",
                                          workspace("sch2", extra="x"))
        self.assertEqual((status, err["reason"]), (400, "BadRequest"))
        self.assertIn('unknown field "spec.extra"', err["message"])
        # Status fields the CRD does not declare are pruned as well.
        status, obj, _ = self.api.request("PATCH", WS_PATH % "default" + "/sch/status",
                                          {"status": {"remoteId": "r", "undeclared": {"a": 1}}},
                                          MERGE)
        self.assertEqual((status, obj["status"]), (200, {"remoteId": "r"}))

    def test_invalid_objects_are_422_with_every_cause(self):
        body = workspace("Bad_Name", deletionPolicy="Sometimes")
        del body["spec"]["providerConfigRef"]
        status, err, _ = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual((status, err["reason"]), (422, "Invalid"), err)
        fields = {c["field"] for c in err["details"]["causes"]}
        self.assertEqual(fields, {"metadata.name", "spec.deletionPolicy", "spec.providerConfigRef"})
        self.assertIn('Unsupported value: "Sometimes"', err["message"])
        self.assertTrue(err["message"].startswith('Workspace.workspace-operator.io "Bad_Name" is '
                                                  "invalid: ["), err["message"])
        status, err, _ = self.api.request("POST", WS_PATH % "default",
                                          workspace("hw", hardware={"cpus": "two"}))
        self.assertEqual(status, 422)
        self.assertIn("must be of type integer", err["message"])

    def test_labels_and_annotations_follow_the_metadata_rules(self):
        for labels in ({"team/x/y": "a"}, {"ok": "has space"}, {"k": "x" * 64}):
            status, err, _ = self.api.request("POST", WS_PATH % "default",
                                              workspace("lbl", labels=labels))
            self.assertEqual((status, err["reason"]), (422, "Invalid"), labels)
        body = workspace("lbl", labels={"workspace-operator.io/team": "a_b.c", "empty": ""})
        body["metadata"]["annotations"] = {"workspace-operator.io/external-name": "a b/c"}
        body["metadata"]["unknownMeta"] = 1
        status, obj, _ = self.api.request("POST", WS_PATH % "default", body)
        self.assertEqual(status, 201, obj)
        self.assertNotIn("unknownMeta", obj["metadata"])
        status, err, _ = self.api.request(
            "PATCH", WS_PATH % "default" + "/lbl",
            {"metadata": {"annotations": {"bad key": "v"}}}, MERGE)
        self.assertEqual((status, err["reason"]), (422, "Invalid"))

    def test_one_of_credentials(self):
        def config(name, credentials):
            return {"apiVersion": "workspace-operator.io/v1alpha1", "kind": "ProviderConfig",
                    "metadata": {"name": name},
                    "spec": {"type": "cadenya", "credentials": credentials}}
        self.assertEqual(self.api.request("POST", PC_PATH, config("one", {"env": "T"}))[0], 201)
        for name, credentials in (("both", {"env": "T", "file": "/t"}), ("none", {})):
            status, err, _ = self.api.request("POST", PC_PATH, config(name, credentials))
            self.assertEqual(status, 422, name)
            self.assertIn("oneOf", err["message"])


class StoredObjectsStayAsStored(unittest.TestCase):
    """A write shares what it does not change with the stored object (the double
    copies no whole object per write): no write, pruning or defaulting may change
    an object already stored, which watches and the JSON cache hand out."""

    def setUp(self):
        options = kube_api_double.parse_args(["--port", "0"])
        self.server = kube_api_double.DoubleServer(options)
        self.server.seed(options.crds)
        self.addCleanup(self.server.server_close)
        self.store, self.registry = self.server.store, self.server.registry

    def workspaces(self):
        return self.registry.lookup("workspace-operator.io", "v1alpha1", "workspaces")

    def patch(self, name, body, subresource=None, media="application/merge-patch+json"):
        return self.store.update(self.workspaces(), "default", name, None, subresource, False,
                                 patch_mutator(media, body))

    def assert_unchanged(self, stored, text):
        self.assertEqual(json.dumps(stored, sort_keys=True), text)

    def test_writes_leave_the_previous_versions_alone(self):
        current = self.store.create(self.workspaces(), "default",
                                    workspace("share", labels={"a": "b"},
                                              hardware={"cpus": 2}))
        writes = [
            lambda: self.patch("share", {"metadata": {"annotations": {"k": "v"},
                                                      "finalizers": ["x.io/f"]}}),
            lambda: self.patch("share", {"status": {"remoteId": "r", "undeclared": 1,
                                                    "conditions": [{"type": "Ready",
                                                                    "status": "True"}]}},
                               "status"),
            lambda: self.patch("share", {"status": {"conditions": [{"type": "Ready",
                                                                    "status": "False"}]}},
                               "status"),
            # A defaulted field removed comes back; an undeclared one is pruned.
            lambda: self.patch("share", {"spec": {"deletionPolicy": None,
                                                  "hardware": {"memoryMb": 512, "x": 1}}}),
            lambda: self.patch("share", [{"op": "replace", "path": "/spec/hardware/cpus",
                                          "value": 4}],
                               media="application/json-patch+json"),
            lambda: self.patch("share", {"metadata": {"labels": {"a": None, "c": "d"}}}),
        ]
        for write in writes:
            before = json.dumps(current, sort_keys=True)
            written = write()
            self.assertIsNot(written, current)
            self.assert_unchanged(current, before)
            current = written
        self.assertEqual(current["spec"]["deletionPolicy"], "Delete")
        self.assertEqual(current["spec"]["hardware"], {"cpus": 4, "memoryMb": 512})
        self.assertEqual(current["status"]["conditions"], [{"type": "Ready", "status": "False"}])
        self.assertEqual(current["metadata"]["labels"], {"c": "d"})

    def test_a_boolean_written_as_a_number_is_invalid_even_where_true_was(self):
        # Python's True == 1 must not make the unchanged-part shortcut skip it.
        self.store.create(self.workspaces(), "default",
                          workspace("typed", aether={"projectId": "0" * 8 + "-0000-0000-0000-"
                                                     + "0" * 12, "keepActive": True}))
        with self.assertRaises(kube_api_double.kube_schema.ApiError) as raised:
            self.patch("typed", {"spec": {"aether": {"keepActive": 1}}})
        self.assertEqual(raised.exception.code, 422)
        self.assertIn("must be of type boolean", raised.exception.message)

    def test_a_new_schema_shapes_a_copy(self):
        stored = self.store.create(self.workspaces(), "default", workspace("old"))
        before = json.dumps(stored, sort_keys=True)
        crds = self.registry.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        crd = json.loads(json.dumps(self.store.get(crds, "", "workspaces.workspace-operator.io")))
        spec_schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        spec_schema["properties"]["tier"] = {"type": "string", "default": "gold"}
        self.store.update(crds, "", crd["metadata"]["name"], crd)
        # A status write under the new schema defaults the spec of a copy.
        written = self.patch("old", {"status": {"remoteId": "r"}}, "status")
        self.assertEqual(written["spec"]["tier"], "gold")
        self.assert_unchanged(stored, before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
