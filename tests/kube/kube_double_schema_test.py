#!/usr/bin/python3
"""KubeDoubleProtocol (second part): custom resources are pruned, defaulted
and validated by their CRD's openAPIV3Schema as kube-apiserver does."""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_client import PC_PATH, WS_PATH, DoubleTestCase, workspace  # noqa: E402

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



if __name__ == "__main__":
    unittest.main(verbosity=2)
