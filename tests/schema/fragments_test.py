#!/usr/bin/python3
"""Checks that each provider's part of the schema comes from its fragment
(providers/<vendor>/schema.yaml) and nowhere else: manifests/generate.py
merges a fourth provider's fragment into the spec.type enum, the spec blocks
of both kinds, the ProviderConfig's description, the Workspace CRD's
status.atProvider and the chart's values schema (providerConfigs[]), and
changes nothing besides; the core sources name no provider; a fragment that
is malformed or collides is refused.

    fragments_test.py --source-dir DIR

Debian's python3 with python3-yaml only (unittest from the standard library).
"""

import argparse
import copy
import importlib.util
import json
import os
import sys
import tempfile
import unittest

SOURCE_DIR = None
generate = None

ZEPHYR = """
name: zephyr
title: Zephyr Cloud
order: 4
workspace:
  description: Zephyr only.
  type: object
  additionalProperties: false
  required: [regionId]
  properties:
    regionId: {type: string, const: eu-1}
providerConfig:
  type: object
  properties:
    tenant: {type: string}
atProvider:
  type: object
  properties:
    state: {type: string}
chartValues:
  type: object
  properties:
    tenant: {type: string}
"""


def load_generator(source_dir):
    spec = importlib.util.spec_from_file_location(
        "generate", os.path.join(source_dir, "manifests", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Fragments(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def fragment(self, text, name="schema.yaml"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def committed(self, file_name):
        with open(os.path.join(SOURCE_DIR, "manifests", "schema", file_name), encoding="utf-8") as f:
            return json.load(f)

    def test_the_providers_fragments_give_the_committed_schemas(self):
        fragments = generate.load_fragments(generate.fragment_paths())
        self.assertEqual([f["name"] for f in fragments], ["paradigm", "cadenya", "aether"])
        for file_name in generate.SPEC_BLOCKS:
            self.assertEqual(generate.json_schema(file_name, fragments), self.committed(file_name))
        with open(generate.CHART_VALUES, encoding="utf-8") as f:
            self.assertEqual(generate.chart_values_schema(fragments), json.load(f))

    def test_the_core_names_no_provider(self):
        for file_name in generate.SPEC_BLOCKS:
            core = generate.json_schema(file_name, [])
            spec = core["properties"]["spec"]["properties"]
            for vendor in ("paradigm", "cadenya", "aether"):
                self.assertNotIn(vendor, spec)
            if "type" in spec:
                self.assertEqual(spec["type"]["enum"], [])
        chart = generate.chart_values_schema([])
        config = chart["properties"]["providerConfigs"]["items"]["properties"]
        self.assertEqual(config["type"]["enum"], [])
        for vendor in ("paradigm", "cadenya", "aether"):
            self.assertNotIn(vendor, config)
        self.assertEqual(list(generate.AT_PROVIDER["properties"]), ["remoteId", "phase"])

    def test_a_fourth_fragment_is_merged_and_changes_nothing_else(self):
        fragments = generate.load_fragments(generate.fragment_paths() + [self.fragment(ZEPHYR)])
        self.assertEqual(fragments[-1]["name"], "zephyr")

        config = generate.json_schema("providerconfig.schema.json", fragments)
        spec = config["properties"]["spec"]["properties"]
        self.assertEqual(spec["type"]["enum"], ["paradigm", "cadenya", "aether", "zephyr"])
        self.assertEqual(spec["zephyr"]["properties"]["tenant"], {"type": "string"})
        self.assertIn("(LightOn Paradigm, Cadenya, Aether or Zephyr Cloud)", config["description"])
        expected = self.committed("providerconfig.schema.json")
        expected_spec = expected["properties"]["spec"]["properties"]
        expected_spec["type"]["enum"].append("zephyr")
        expected_spec["zephyr"] = spec["zephyr"]
        expected["description"] = expected["description"].replace(
            "Cadenya or Aether", "Cadenya, Aether or Zephyr Cloud")
        self.assertEqual(config, expected)

        workspace = generate.json_schema("workspace.schema.json", fragments)
        expected = self.committed("workspace.schema.json")
        expected["properties"]["spec"]["properties"]["zephyr"] = \
            workspace["properties"]["spec"]["properties"]["zephyr"]
        self.assertEqual(workspace, expected)
        self.assertEqual(list(workspace["properties"]["spec"]["properties"])[-1], "zephyr")

        crd = generate.crd(generate.KINDS[1], fragments)
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        zephyr = schema["properties"]["spec"]["properties"]["zephyr"]
        self.assertEqual(zephyr["properties"]["regionId"], {"type": "string", "enum": ["eu-1"]})
        at_provider = schema["properties"]["status"]["properties"]["atProvider"]["properties"]
        self.assertEqual(list(at_provider),
                         ["remoteId", "phase", "aether", "paradigm", "cadenya", "zephyr"])

        chart = generate.chart_values_schema(fragments)
        with open(generate.CHART_VALUES, encoding="utf-8") as f:
            expected = json.load(f)
        expected_config = expected["properties"]["providerConfigs"]["items"]["properties"]
        expected_config["type"]["enum"].append("zephyr")
        expected_config["zephyr"] = {"type": "object", "properties": {"tenant": {"type": "string"}}}
        self.assertEqual(chart, expected)

    def test_a_malformed_or_colliding_fragment_is_refused(self):
        bad = {
            "unknown key": ZEPHYR + "colour: blue\n",
            "missing order": ZEPHYR.replace("order: 4\n", ""),
            "a name taken": ZEPHYR.replace("name: zephyr", "name: aether"),
            "an order taken": ZEPHYR.replace("order: 4", "order: 2"),
            "not a mapping": "- zephyr\n",
        }
        for why, text in bad.items():
            with self.subTest(why):
                path = self.fragment(text, why.replace(" ", "-") + ".yaml")
                with self.assertRaises(SystemExit):
                    generate.load_fragments(generate.fragment_paths() + [path])
        # A block named like a core property would replace it.
        collide = ZEPHYR.replace("name: zephyr", "name: hardware")
        fragments = generate.load_fragments([self.fragment(collide)])
        with self.assertRaises(SystemExit):
            generate.json_schema("workspace.schema.json", fragments)
        collide = ZEPHYR.replace("name: zephyr", "name: phase")
        fragments = generate.load_fragments([self.fragment(collide)])
        with self.assertRaises(SystemExit):
            generate.at_provider_of(fragments)

    def test_the_merge_leaves_the_fragments_untouched(self):
        fragments = generate.load_fragments(generate.fragment_paths())
        before = copy.deepcopy(fragments)
        for spec in generate.KINDS:
            generate.outputs(spec, fragments)
        self.assertEqual(fragments, before)


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
