#!/usr/bin/python3
"""Checks that the fourth provider's schema fragment
(tests/extension/providers/nimbus/schema.yaml) is all the schema side needs:
manifests/generate.py's own functions merge it, beside the built-in
providers' fragments, into JSON Schemas and CRDs written to a temporary
directory; the Nimbus manifests of tests/extension/manifests/ validate
against them (the invalid one fails at its two fields); and the committed
generated files are left exactly as they were and never name it.

    schema_test.py --source-dir DIR

Debian's python3 with python3-yaml and python3-jsonschema.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema
import yaml

SOURCE_DIR = None
generate = None


def load_generator(source_dir):
    spec = importlib.util.spec_from_file_location(
        "generate", os.path.join(source_dir, "manifests", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def extension_path(*parts):
    return os.path.join(SOURCE_DIR, "tests", "extension", *parts)


def committed_files():
    """Every file generate.py writes, with its committed bytes."""
    fragments = generate.load_fragments(generate.fragment_paths())
    paths = [path for kind in generate.KINDS for path, _ in generate.outputs(kind, fragments)]
    paths.append(generate.CHART_VALUES)
    out = {}
    for path in paths:
        with open(path, "rb") as f:
            out[path] = f.read()
    return out


class NimbusFragment(unittest.TestCase):
    def setUp(self):
        self.committed_before = committed_files()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        fragments = generate.load_fragments(
            generate.fragment_paths() + [extension_path("providers", "nimbus", "schema.yaml")])
        self.assertEqual([f["name"] for f in fragments], ["paradigm", "cadenya", "aether", "nimbus"])
        # What generate.py would write with the fourth fragment, written
        # under the temporary directory instead of over the committed files.
        for kind in generate.KINDS:
            for path, text in generate.outputs(kind, fragments):
                self.write(path, text)
        self.write(generate.CHART_VALUES,
                   generate.render_json_schema(generate.chart_values_schema(fragments)))

    def tearDown(self):
        self.assertEqual(committed_files(), self.committed_before)

    def write(self, committed_path, text):
        path = os.path.join(self.tmp.name, os.path.relpath(committed_path, SOURCE_DIR))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def generated(self, *parts):
        with open(os.path.join(self.tmp.name, *parts), encoding="utf-8") as f:
            return yaml.safe_load(f)

    def validators(self):
        out = {}
        for kind, file_name in (("Workspace", "workspace.schema.json"),
                                ("ProviderConfig", "providerconfig.schema.json")):
            schema = self.generated("manifests", "schema", file_name)
            jsonschema.Draft202012Validator.check_schema(schema)
            out[kind] = jsonschema.Draft202012Validator(schema)
        return out

    def documents(self, file_name):
        with open(extension_path("manifests", file_name), encoding="utf-8") as f:
            return [d for d in yaml.safe_load_all(f) if d]

    def test_the_fragment_merges_into_the_generated_schemas(self):
        config = self.generated("manifests", "schema", "providerconfig.schema.json")
        spec = config["properties"]["spec"]["properties"]
        self.assertEqual(spec["type"]["enum"], ["paradigm", "cadenya", "aether", "nimbus"])
        self.assertIn("Aether or Nimbus", config["description"])
        workspace = self.generated("manifests", "schema", "workspace.schema.json")
        self.assertEqual(workspace["properties"]["spec"]["properties"]["nimbus"]["required"],
                         ["region"])
        crd = self.generated("manifests", "crds", "workspaces.workspace-operator.io.yaml")
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        self.assertEqual(schema["properties"]["spec"]["properties"]["nimbus"]["properties"]["tier"],
                         {"description": "Unset: left as it is.", "type": "string",
                          "enum": ["standard", "premium"]})
        self.assertIn("nimbus", schema["properties"]["status"]["properties"]["atProvider"]
                      ["properties"])

    def test_the_nimbus_manifests_validate(self):
        validators = self.validators()
        documents = self.documents("nimbus.yaml")
        self.assertEqual(len(documents), 3)
        for document in documents:
            errors = list(validators[document["kind"]].iter_errors(document))
            self.assertEqual(errors, [], document["metadata"]["name"])

    def test_the_invalid_manifest_fails_at_its_fields(self):
        validators = self.validators()
        workspace = [d for d in self.documents("nimbus-invalid.yaml") if d["kind"] == "Workspace"]
        errors = validators["Workspace"].iter_errors(workspace[0])
        paths = sorted(".".join(str(p) for p in e.absolute_path) for e in errors)
        self.assertEqual(paths, ["spec.nimbus.region", "spec.nimbus.tier"])

    def test_the_committed_files_are_unchanged_and_never_name_it(self):
        check = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "manifests", "generate.py"),
                                "--check"], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)
        for path, data in self.committed_before.items():
            self.assertNotIn(b"nimbus", data.lower(), path)


def main():
    global SOURCE_DIR, generate
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-dir", required=True)
    args, rest = parser.parse_known_args()
    SOURCE_DIR = os.path.abspath(args.source_dir)
    generate = load_generator(SOURCE_DIR)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
