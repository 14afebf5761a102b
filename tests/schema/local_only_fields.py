#!/usr/bin/python3
"""Checks that every field a provider never receives is warned by
`wsctl validate` and described as such in the JSON Schema and the CRD.

    local_only_fields.py --source-dir DIR --wsctl PATH

A Workspace per provider type sets every optional field a provider may not
receive. `wsctl validate` must exit 0 and warn, at a position, exactly the
(field, provider) pairs of EXPECTED (docs/PROVIDERS.md; the provider
contracts in ../shared/providers/). For each warned pair, the field's
description in manifests/schema/workspace.schema.json, and in the CRD for
the fields under spec (the CRD keeps no metadata rules but the name), names
the provider, says the field is kept locally only, and that `wsctl validate`
warns. A field added to a provider's local-only list, or one dropped from
it, without the schema saying so fails here.

Exits 0 when everything holds, 1 otherwise. Debian's python3-yaml only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

PROJECT = "00000000-0000-4000-8000-000000000001"

# (field, provider type) -> nothing: the pairs the provider never receives.
EXPECTED = {
    ("metadata.labels", "paradigm"), ("metadata.labels", "aether"),
    ("spec.externalId", "paradigm"), ("spec.externalId", "aether"),
    ("spec.displayName", "aether"), ("spec.description", "aether"),
}

PROVIDER_BLOCKS = {
    "paradigm": "  paradigm: {companyId: 1}\n",
    "cadenya": "",
    "aether": "  aether: {projectId: %s}\n" % PROJECT,
}

WARNING = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): "
                     r"warning: not sent to (?P<provider>\w+)")

LOCALLY = ("kept in the manifest only", "kept in the state store only")


def manifests():
    out = ""
    for provider, block in PROVIDER_BLOCKS.items():
        out += ("apiVersion: workspace-operator.io/v1alpha1\nkind: ProviderConfig\n"
                "metadata: {name: %s}\nspec:\n  type: %s\n  credentials: {env: LOCAL_ONLY_TOKEN}\n"
                "---\n" % (provider, provider))
        out += ("apiVersion: workspace-operator.io/v1alpha1\nkind: Workspace\nmetadata:\n"
                "  name: ws-%s\n  labels: {team: a}\nspec:\n  providerConfigRef: {name: %s}\n"
                "  externalId: ext-%s\n  displayName: Shown name\n  description: Some text\n%s"
                "---\n" % (provider, provider, provider, block))
    return out


def warned_pairs(wsctl, failures):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "all.yaml")
        with open(path, "w") as f:
            f.write(manifests())
        env = dict(os.environ, LOCAL_ONLY_TOKEN="unused")
        proc = subprocess.run([wsctl, "validate", "-f", path], capture_output=True, text=True,
                              timeout=60, env=env)
    if proc.returncode != 0:
        failures.append("wsctl validate exited %d:\n%s" % (proc.returncode, proc.stderr))
    pairs = set()
    for line in proc.stderr.splitlines():
        m = WARNING.match(line)
        if m:
            pairs.add((m.group("path"), m.group("provider")))
    return pairs


def property_of(schema, path):
    node = schema
    for key in path.split("."):
        node = node.get("properties", {}).get(key)
        if node is None:
            return None
    return node


def check_description(where, node, field, provider, failures):
    if node is None:
        failures.append("%s: no property %s" % (where, field))
        return
    text = node.get("description", "")
    for wanted, why in ((provider.capitalize(), "does not name %s" % provider.capitalize()),
                        ("`wsctl validate` warns", "does not say that `wsctl validate` warns")):
        if wanted not in text:
            failures.append("%s: %s %s: %r" % (where, field, why, text))
    if not any(phrase in text for phrase in LOCALLY):
        failures.append("%s: %s does not say where it is kept instead: %r" % (where, field, text))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--wsctl", required=True)
    args = parser.parse_args()
    with open(os.path.join(args.source_dir, "manifests/schema/workspace.schema.json")) as f:
        schema = json.load(f)
    with open(os.path.join(args.source_dir,
                           "manifests/crds/workspaces.workspace-operator.io.yaml")) as f:
        crd = yaml.safe_load(f)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]

    failures = []
    pairs = warned_pairs(args.wsctl, failures)
    for missing in sorted(EXPECTED - pairs):
        failures.append("wsctl validate does not warn %s on %s" % missing)
    for extra in sorted(pairs - EXPECTED):
        failures.append("wsctl validate warns %s on %s, which EXPECTED does not list" % extra)
    for field, provider in sorted(pairs):
        check_description("workspace.schema.json", property_of(schema, field), field, provider,
                          failures)
        if field.startswith("spec."):
            check_description("the Workspace CRD", property_of(crd, field), field, provider,
                              failures)
    for failure in failures:
        print("FAIL " + failure)
    print("local-only fields: %d pairs warned, %d failures" % (len(pairs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
