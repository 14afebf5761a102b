#!/usr/bin/python3
"""Checks that the JSON Schemas (manifests/schema/), the CRDs' openAPIV3Schema
(manifests/crds/) and the validator (`wsctl validate`) agree.

    agreement.py --source-dir DIR --wsctl PATH

For every file under tests/fixtures/schema/{valid,invalid}/ and
tests/fixtures/manifests/valid/ (one or more documents, usually a
ProviderConfig and a Workspace so that wsctl can check the set), each
document is judged three times:
  - by the JSON Schema of its kind;
  - by the CRD's openAPIV3Schema of its kind, read with jsonschema after
    translating what Kubernetes spells differently: `nullable: true`, boolean
    `exclusiveMinimum`, and unknown fields, which the API server rejects under
    strict field validation (kubectl's default) rather than through the schema
    (root `metadata` excepted: the API server validates ObjectMeta itself);
  - by wsctl, which must report an error inside that document's lines.
The three verdicts must be equal for every document. Every document of a
valid fixture must pass (and wsctl must exit 0); every invalid fixture must
hold at least one rejected document (and wsctl must exit 2). The invalid set
therefore holds only single-document errors a schema can express; rules
across documents, metadata rules the API server owns, YAML-level problems and
the rest are covered by tests/fixtures/manifests/invalid/.

Also: every document of manifests/examples/ passes both schemas and
`wsctl validate -f manifests/examples` exits 0; the CRDs' status schemas
accept the operator's conditions and atProvider and nothing undeclared
(check_status_shape); the normalised output of
`wsctl validate -o json` for every valid fixture (and every recorded
tests/fixtures/manifests/valid/*.json) passes both schemas; and a self-check
proves the comparison catches a disagreement, by weakening the schema on
purpose and expecting a failure.

YAML is read as the validator reads it: YAML 1.2's core schema (so `yes` is
a string and `0o17` an integer), keys always strings, no `<<` merge keys.
Patterns use ECMA-262 / RE2 semantics: `$` matches only at the very end.

Exits 0 when everything agrees, 1 otherwise. Debian's python3-jsonschema and
python3-yaml only.
"""

import argparse
import copy
import glob
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml


# ---- YAML as the validator reads it ---------------------------------------

class CoreLoader(yaml.SafeLoader):
    """YAML 1.2 core schema; mapping keys are their scalar text."""


CoreLoader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
]
for _tag, _regexp, _first in _RESOLVERS:
    CoreLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


def _construct_mapping(loader, node):
    out = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
CoreLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_documents(path):
    """[(first_line, last_line, value)] for every non-empty document (1-based)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    nodes = [n for n in yaml.compose_all(text, Loader=CoreLoader) if n is not None]
    values = []
    for node in nodes:
        loader = CoreLoader("")
        values.append(loader.construct_document(node))
    out = []
    for i, (node, value) in enumerate(zip(nodes, values)):
        first = node.start_mark.line + 1
        last = nodes[i + 1].start_mark.line if i + 1 < len(nodes) else 10 ** 9
        out.append((first, last, value))
    return out


# ---- schemas ----------------------------------------------------------------

def _ecma_pattern(validator, pattern, instance, schema):
    """`pattern` with ECMA-262 / RE2 anchors: a final `$` is the very end."""
    if not validator.is_type(instance, "string"):
        return
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if not re.search(pattern, instance):
        yield jsonschema.ValidationError("%r does not match %r" % (instance, pattern))


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                         {"pattern": _ecma_pattern})


def from_kubernetes(schema, path=()):
    """A CRD openAPIV3Schema as plain JSON Schema, as the API server applies it."""
    if isinstance(schema, list):
        return [from_kubernetes(s, path) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: from_kubernetes(sub, path + (name,)) for name, sub in value.items()}
        elif key in ("nullable", "exclusiveMinimum", "exclusiveMaximum"):
            continue
        else:
            out[key] = from_kubernetes(value, path)
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    for bound in ("Minimum", "Maximum"):
        if schema.get("exclusive" + bound) is True:
            out["exclusive" + bound] = out.pop(bound.lower())
    # Strict field validation: unknown fields are errors, except under the
    # root's metadata (ObjectMeta belongs to the API server).
    if ("properties" in out and "additionalProperties" not in out
            and not schema.get("x-kubernetes-preserve-unknown-fields") and path != ("metadata",)):
        out["additionalProperties"] = False
    return out


class Schemas:
    def __init__(self, source_dir):
        self.json = {}
        self.crd = {}
        for kind, stem, crd_name in [("Workspace", "workspace", "workspaces"),
                                     ("ProviderConfig", "providerconfig", "providerconfigs")]:
            with open(os.path.join(source_dir, "manifests/schema/%s.schema.json" % stem)) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            self.json[kind] = schema
            crd_path = os.path.join(source_dir,
                                    "manifests/crds/%s.workspace-operator.io.yaml" % crd_name)
            with open(crd_path) as f:
                crd = yaml.safe_load(f)
            versions = crd["spec"]["versions"]
            assert crd["apiVersion"] == "apiextensions.k8s.io/v1", crd_path
            assert crd["spec"]["group"] == "workspace-operator.io", crd_path
            assert [v["name"] for v in versions] == ["v1alpha1"], crd_path
            assert versions[0]["served"] and versions[0]["storage"], crd_path
            assert versions[0]["subresources"] == {"status": {}}, crd_path
            crd_schema = from_kubernetes(versions[0]["schema"]["openAPIV3Schema"])
            crd_schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            jsonschema.Draft202012Validator.check_schema(crd_schema)
            self.crd[kind] = crd_schema

    @staticmethod
    def errors(schema, document):
        validator = Validator(schema)
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "<root>", e.message)
                for e in validator.iter_errors(document)]

    def judge(self, document):
        """(json_errors, crd_errors); None when the kind is not one of ours."""
        kind = document.get("kind") if isinstance(document, dict) else None
        if kind not in self.json:
            return None
        return self.errors(self.json[kind], document), self.errors(self.crd[kind], document)


# ---- wsctl ------------------------------------------------------------------

DIAGNOSTIC = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): (?P<msg>.*)$")


# The token files of the fixtures sit under this directory; wsctl reads files only under a
# --credentials-dir the operator names (README.md, "Credentials").
FIXTURE_CREDENTIALS_DIR = "/var/run/secrets"


def run_wsctl(wsctl, paths, extra=()):
    args = ([wsctl, "validate"] + [a for p in paths for a in ("-f", p)] +
            ["--credentials-dir", FIXTURE_CREDENTIALS_DIR] + list(extra))
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    diagnostics = []
    for line in proc.stderr.splitlines():
        m = DIAGNOSTIC.match(line)
        # Warnings (fields a provider never receives) are not verdicts.
        if m and ": warning: " not in line:
            diagnostics.append((int(m.group("line")), line))
    return proc.returncode, diagnostics, proc.stdout, proc.stderr


# ---- checks -----------------------------------------------------------------

class Report:
    def __init__(self):
        self.failures = []
        self.checks = 0

    def check(self, ok, message):
        self.checks += 1
        if not ok:
            self.failures.append(message)


def check_fixture(path, expect_valid, schemas, wsctl, report):
    name = os.path.relpath(path)
    code, diagnostics, _, stderr = run_wsctl(wsctl, [path])
    report.check(code == (0 if expect_valid else 2),
                 "%s: wsctl exited %d, expected %d\n%s" % (name, code, 0 if expect_valid else 2, stderr))
    rejected_somewhere = False
    for first, last, document in load_documents(path):
        verdicts = schemas.judge(document)
        if verdicts is None:
            report.check(False, "%s:%d: document of unknown kind in a schema fixture" % (name, first))
            continue
        json_errors, crd_errors = verdicts
        wsctl_errors = [line for at, line in diagnostics if first <= at <= last]
        ok = {"JSON Schema": not json_errors, "CRD schema": not crd_errors, "wsctl": not wsctl_errors}
        rejected_somewhere |= not all(ok.values())
        where = "%s:%d (%s)" % (name, first, document.get("kind"))
        if expect_valid:
            for judge, passed in ok.items():
                report.check(passed, "%s: valid fixture rejected by %s: %s" % (
                    where, judge, {"JSON Schema": json_errors, "CRD schema": crd_errors,
                                   "wsctl": wsctl_errors}[judge]))
        else:
            report.check(len(set(ok.values())) == 1,
                         "%s: disagreement: %s\n  JSON Schema: %s\n  CRD schema: %s\n  wsctl: %s" % (
                             where, ", ".join("%s %s" % (j, "accepts" if v else "rejects")
                                              for j, v in ok.items()),
                             json_errors, crd_errors, wsctl_errors))
    if not expect_valid:
        report.check(rejected_somewhere, "%s: invalid fixture has no rejected document" % name)
    return code


def check_normalised(label, text, schemas, report):
    listing = json.loads(text)
    report.check(listing.get("kind") == "List", "%s: -o json is not a List" % label)
    for i, item in enumerate(listing.get("items", [])):
        verdicts = schemas.judge(item)
        report.check(verdicts is not None, "%s: items[%d] has an unknown kind" % (label, i))
        if verdicts:
            report.check(not verdicts[0], "%s: items[%d] fails the JSON Schema: %s" % (label, i, verdicts[0]))
            report.check(not verdicts[1], "%s: items[%d] fails the CRD schema: %s" % (label, i, verdicts[1]))


def self_check(source_dir, schemas, wsctl):
    """The comparison must notice a schema that is weaker than wsctl."""
    fixture = os.path.join(source_dir, "tests/fixtures/schema/invalid/workspace-hardware-cpus-0.yaml")
    weak = copy.deepcopy(schemas)
    del weak.json["Workspace"]["properties"]["spec"]["properties"]["hardware"]["properties"]["cpus"]["minimum"]
    report = Report()
    check_fixture(fixture, False, weak, wsctl, report)
    return bool(report.failures)


GOOD_STATUS = {
    "conditions": [
        {"type": "Ready", "status": "True", "reason": "Available", "message": "running",
         "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 3},
        {"type": "Synced", "status": "False", "reason": "ReconcileError",
         "message": "HTTP 503", "lastTransitionTime": "2026-01-01T00:00:00Z",
         "observedGeneration": 3},
    ],
    "observedGeneration": 3,
    "atProvider": {"remoteId": "0b6f3c5e-1d2a-4c8e-9f00-123456789abc", "phase": "Ready",
                   "aether": {"machineId": "m-1", "privateIp": "10.0.0.7", "state": "running"}},
}


def check_status_shape(source_dir, schemas, report):
    """The operator's status (kubernetes mode): what `kubectl wait
    --for=condition=Ready` and the printer columns read, and nothing else
    (the API server prunes undeclared fields: a credential such as Aether's
    preview_token cannot be stored)."""
    def status_errors(kind, status):
        schema = dict(schemas.crd[kind]["properties"]["status"])
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return Schemas.errors(schema, status)

    for kind in ("Workspace", "ProviderConfig"):
        good = GOOD_STATUS if kind == "Workspace" else {
            "conditions": GOOD_STATUS["conditions"], "observedGeneration": 3}
        report.check(not status_errors(kind, good),
                     "%s status: a good status is refused: %s" % (kind, status_errors(kind, good)))
        bad_condition = copy.deepcopy(good)
        bad_condition["conditions"][0]["status"] = "Yes"
        report.check(status_errors(kind, bad_condition), "%s status: condition Yes accepted" % kind)
        untyped = copy.deepcopy(good)
        del untyped["conditions"][1]["type"]
        report.check(status_errors(kind, untyped), "%s status: condition without type" % kind)
    leaks = copy.deepcopy(GOOD_STATUS)
    leaks["atProvider"]["aether"]["previewToken"] = "pt-secret"
    report.check(status_errors("Workspace", leaks), "Workspace status: previewToken not pruned")
    leaks = copy.deepcopy(GOOD_STATUS)
    leaks["atProvider"]["token"] = "t"
    report.check(status_errors("Workspace", leaks), "Workspace status: atProvider is open")

    for crd_name in ("workspaces", "providerconfigs"):
        with open(os.path.join(source_dir, "manifests/crds/%s.workspace-operator.io.yaml" %
                               crd_name)) as f:
            version = yaml.safe_load(f)["spec"]["versions"][0]
        conditions = version["schema"]["openAPIV3Schema"]["properties"]["status"][
            "properties"]["conditions"]
        report.check(conditions.get("x-kubernetes-list-type") == "map" and
                     conditions.get("x-kubernetes-list-map-keys") == ["type"],
                     "%s: status.conditions is not a map list keyed by type" % crd_name)
        if crd_name == "workspaces":
            # kubectl prints a column's name upper-cased.
            columns = {c["name"].upper(): c["jsonPath"] for c in version["additionalPrinterColumns"]}
            expected = {"READY": '.status.conditions[?(@.type=="Ready")].status',
                        "SYNCED": '.status.conditions[?(@.type=="Synced")].status',
                        "REMOTE-ID": ".status.atProvider.remoteId",
                        "AGE": ".metadata.creationTimestamp"}
            for header, path in expected.items():
                report.check(columns.get(header) == path,
                             "workspaces: printer column %s is %r" % (header, columns.get(header)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--wsctl", required=True)
    args = parser.parse_args()
    source_dir = os.path.abspath(args.source_dir)
    os.chdir(source_dir)
    schemas = Schemas(source_dir)
    report = Report()

    counts = {}
    for kind, expect_valid in (("valid", True), ("invalid", False)):
        files = sorted(glob.glob(os.path.join(source_dir, "tests/fixtures/schema", kind, "*.yaml")))
        if expect_valid:
            # The validator's good fixtures are good for the schemas too.
            files += sorted(glob.glob(os.path.join(source_dir, "tests/fixtures/manifests/valid/*.yaml")))
        counts[kind] = len(files)
        report.check(len(files) >= 5, "too few %s schema fixtures: %d" % (kind, len(files)))
        for path in files:
            check_fixture(path, expect_valid, schemas, args.wsctl, report)
            if expect_valid:
                code, _, out, _ = run_wsctl(args.wsctl, [path], ["-o", "json"])
                if code == 0:
                    check_normalised(os.path.relpath(path) + " -o json", out, schemas, report)

    examples = os.path.join(source_dir, "manifests/examples")
    example_files = sorted(glob.glob(os.path.join(examples, "*.yaml")))
    report.check(len(example_files) >= 3, "too few examples")
    for path in example_files:
        for first, _, document in load_documents(path):
            verdicts = schemas.judge(document)
            where = "%s:%d" % (os.path.relpath(path), first)
            report.check(verdicts is not None, "%s: unknown kind" % where)
            if verdicts:
                report.check(not verdicts[0], "%s: fails the JSON Schema: %s" % (where, verdicts[0]))
                report.check(not verdicts[1], "%s: fails the CRD schema: %s" % (where, verdicts[1]))
    code, _, out, stderr = run_wsctl(args.wsctl, [examples])
    report.check(code == 0, "wsctl validate -f manifests/examples exited %d:\n%s" % (code, stderr))
    code, _, out, _ = run_wsctl(args.wsctl, [examples], ["-o", "json"])
    if code == 0:
        check_normalised("manifests/examples -o json", out, schemas, report)

    for path in sorted(glob.glob(os.path.join(source_dir, "tests/fixtures/manifests/valid/*.json"))):
        with open(path) as f:
            check_normalised(os.path.relpath(path), f.read(), schemas, report)

    check_status_shape(source_dir, schemas, report)

    report.check(self_check(source_dir, schemas, args.wsctl),
                 "self-check: a weakened schema was not caught as a disagreement")

    for failure in report.failures:
        print("FAIL " + failure)
    print("schema agreement: %d valid and %d invalid fixtures, %d examples" % (
        counts["valid"], counts["invalid"], len(example_files)))
    print("%d passed, %d failed" % (report.checks - len(report.failures), len(report.failures)))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
