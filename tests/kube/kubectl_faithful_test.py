#!/usr/bin/python3
"""KubectlAgainstKubeDouble: the real kubectl 1.32 (/usr/bin/kubectl) against the
Kubernetes API double, as a user would use it with the operator's CRDs. The
double serves HTTPS with a throw-away certificate and a bearer token (kubectl
sends a token only over TLS) and starts without CRDs, so `kubectl apply -f
manifests/crds/` creates them. Each step checks what kubectl printed or what
the API now holds; every check can fail. Exit 0 when all pass."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from double_process import DoubleProcess  # noqa: E402

NS = "team-support"
WS = "support-agents"


class Kubectl:
    def __init__(self, binary, kubeconfig, cache_dir):
        self.binary, self.kubeconfig, self.cache_dir = binary, kubeconfig, cache_dir

    def argv(self, args):
        return [self.binary, "--kubeconfig", self.kubeconfig, "--cache-dir", self.cache_dir] + args

    def run(self, *args, stdin=None, expect_ok=True, timeout=60):
        proc = subprocess.run(self.argv(list(args)), input=stdin, capture_output=True, text=True,
                              timeout=timeout)
        if expect_ok and proc.returncode != 0:
            raise AssertionError("kubectl %s failed (%d): %s%s" % (" ".join(args), proc.returncode,
                                                                   proc.stdout, proc.stderr))
        return proc

    def out(self, *args, **kwargs):
        return self.run(*args, **kwargs).stdout

    def start(self, *args, output=None):
        return subprocess.Popen(self.argv(list(args)), stdout=output, stderr=subprocess.STDOUT,
                                text=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_until(predicate, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def read(path):
    with open(path) as stream:
        return stream.read()


class Scenario:
    def __init__(self, kubectl, source_dir, scratch):
        self.k, self.source, self.scratch = kubectl, source_dir, scratch

    def file(self, name, text):
        path = os.path.join(self.scratch, name)
        with open(path, "w") as stream:
            stream.write(text)
        return path

    def ws_json(self):
        return json.loads(self.k.out("get", "workspace", WS, "-n", NS, "-o", "json"))

    def step_version(self):
        out = self.k.out("version", "-o", "json")
        expect(json.loads(out)["serverVersion"]["gitVersion"].startswith("v1.32."), out)

    def step_apply_crds(self):
        crds = os.path.join(self.source, "manifests", "crds")
        out = self.k.out("apply", "-f", crds)
        for name in ("providerconfigs", "workspaces"):
            expect("customresourcedefinition.apiextensions.k8s.io/%s.workspace-operator.io created"
                   % name in out, out)
        out = self.k.out("apply", "-f", crds)
        expect(out.count(" unchanged") == 2, "second apply of the CRDs: " + out)
        self.k.out("wait", "--for=condition=Established", "--timeout=20s",
                   "crd/workspaces.workspace-operator.io")
        out = self.k.out("api-resources", "--api-group=workspace-operator.io")
        expect("workspaces" in out and "ws" in out and "Workspace" in out
               and "ProviderConfig" in out, out)

    def step_apply_examples(self):
        out = self.k.out("apply", "-f", self.file("ns.yaml", "apiVersion: v1\nkind: Namespace\n"
                                                  "metadata:\n  name: %s\n" % NS))
        expect("namespace/%s created" % NS in out, out)
        configs = os.path.join(self.source, "manifests", "examples", "provider-configs.yaml")
        out = self.k.out("apply", "-f", configs)
        expect(out.count(" created") == 3, out)
        example = os.path.join(self.source, "manifests", "examples", "cadenya-workspace.yaml")
        out = self.k.out("apply", "-f", example)
        expect("workspace.workspace-operator.io/%s created" % WS in out, out)
        out = self.k.out("apply", "-f", example)
        expect("workspace.workspace-operator.io/%s unchanged" % WS in out, out)
        changed = read(example).replace("Agents answering customer tickets", "Agents, changed")
        expect("Agents, changed" in changed, "the example's description moved")
        changed_path = self.file("changed.yaml", changed)
        diff = self.k.run("diff", "-f", changed_path, expect_ok=False)  # a server-side dry run
        expect(diff.returncode == 1 and "+  description: Agents, changed" in diff.stdout, diff)
        expect(self.ws_json()["spec"]["description"] != "Agents, changed", "dry run persisted")
        out = self.k.out("apply", "-f", changed_path)
        expect("workspace.workspace-operator.io/%s configured" % WS in out, out)
        diff = self.k.run("diff", "-f", changed_path, expect_ok=False)
        expect(diff.returncode == 0 and not diff.stdout, diff)
        obj = self.ws_json()
        expect(obj["spec"]["description"] == "Agents, changed", obj)
        expect(obj["metadata"]["generation"] == 2, "generation after a spec change: %s" % obj)

    def step_get_printer_columns(self):
        out = self.k.out("get", "workspaces", "-n", NS)
        lines = out.splitlines()
        expect(lines[0].split() == ["NAME", "PROVIDER", "READY", "SYNCED", "REMOTE-ID", "AGE"],
               out)
        expect(lines[1].split()[:2] == [WS, "cadenya-prod"], out)
        out = self.k.out("get", "providerconfigs")
        expect(out.splitlines()[0].split() == ["NAME", "TYPE", "BASE", "URL", "AGE"], out)
        expect("cadenya-prod" in out and "https://api.cadenya.com" in out, out)
        doc = yaml.safe_load(self.k.out("get", "ws", WS, "-n", NS, "-o", "yaml"))
        expect(doc["kind"] == "Workspace" and doc["metadata"]["uid"], doc)
        expect(doc["spec"]["providerConfigRef"]["name"] == "cadenya-prod", doc)
        expect(int(doc["metadata"]["resourceVersion"]) > 0, doc)
        out = self.k.out("explain", "workspace.spec.deletionPolicy")
        expect("Delete: delete the remote workspace" in out, out)

    def step_watch_and_wait(self):
        watch_out = os.path.join(self.scratch, "watch.out")
        with open(watch_out, "w") as output:
            watcher = self.k.start("get", "ws", "-n", NS, "-w", "--output-watch-events",
                                   output=output)
            waiter = self.k.start("wait", "--for=condition=Ready", "ws/" + WS, "-n", NS,
                                  "--timeout=60s", output=subprocess.PIPE)
        try:
            wait_until(lambda: "ADDED" in read(watch_out), "kubectl get -w's first row")
            expect(waiter.poll() is None, "kubectl wait returned before Ready was set")
            status = {"status": {"remoteId": "r-123", "atProvider": {"remoteId": "r-123"}, "conditions": [
                {"type": "Ready", "status": "True", "reason": "Available", "message": "ok",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"},
                {"type": "Synced", "status": "True", "reason": "ReconcileSuccess",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
            out = self.k.out("patch", "ws", WS, "-n", NS, "--subresource=status", "--type=merge",
                             "-p", json.dumps(status))
            expect("patched" in out, out)
            wait_until(lambda: "MODIFIED" in read(watch_out) and "r-123" in read(watch_out),
                       "kubectl get -w to show the status change")
            out, _ = waiter.communicate(timeout=60)
            expect(waiter.returncode == 0 and "condition met" in out, "kubectl wait: " + out)
        finally:
            for proc in (watcher, waiter):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        row = [line for line in read(watch_out).splitlines() if "MODIFIED" in line][-1].split()
        expect(row[:6] == ["MODIFIED", WS, "cadenya-prod", "True", "True", "r-123"], row)
        obj = self.ws_json()
        expect(obj["metadata"]["generation"] == 2, "a status write bumped generation: %s" % obj)
        # The main resource ignores status changes when the status subresource exists.
        out = self.k.out("patch", "ws", WS, "-n", NS, "--type=merge", "-p",
                         '{"status":{"remoteId":"hijacked"}}')
        expect("(no change)" in out, out)
        expect(self.ws_json()["status"]["remoteId"] == "r-123", "status written through spec")

    def step_label_annotate(self):
        out = self.k.out("label", "ws", WS, "-n", NS, "env=prod")
        expect("labeled" in out, out)
        out = self.k.out("get", "ws", "-n", NS, "-l", "env=prod", "-o", "name")
        expect(out.strip() == "workspace.workspace-operator.io/" + WS, out)
        out = self.k.run("get", "ws", "-n", NS, "-l", "env notin (prod),team=support")
        expect(WS not in out.stdout and "No resources found" in out.stderr, out)
        out = self.k.out("annotate", "ws", WS, "-n", NS, "workspace-operator.io/external-name=r-123")
        expect("annotated" in out, out)
        out = self.k.out("get", "ws", WS, "-n", NS, "-o",
                         "jsonpath={.metadata.annotations.workspace-operator\\.io/external-name}")
        expect(out == "r-123", out)
        out = self.k.run("label", "ws", WS, "-n", NS, "env=dev", expect_ok=False)
        expect(out.returncode != 0 and "--overwrite" in out.stderr, out)

    def step_typed_commands(self):
        # kubectl's typed commands send protobuf bodies.
        out = self.k.out("create", "namespace", "creds-ns")
        expect("namespace/creds-ns created" in out, out)
        out = self.k.out("create", "secret", "generic", "provider-token", "-n", "creds-ns",
                         "--from-literal=token=first")
        expect("secret/provider-token created" in out, out)
        secret = json.loads(self.k.out("get", "secret", "provider-token", "-n", "creds-ns",
                                       "-o", "json"))
        expect(secret["type"] == "Opaque" and secret["data"] == {"token": "Zmlyc3Q="}, secret)
        rotated = self.k.out("create", "secret", "generic", "provider-token", "-n", "creds-ns",
                             "--from-literal=token=second", "--dry-run=client", "-o", "yaml")
        out = self.k.out("apply", "-f", "-", stdin=rotated)
        expect("secret/provider-token configured" in out, out)
        out = self.k.out("get", "secret", "provider-token", "-n", "creds-ns", "-o",
                         "jsonpath={.data.token}")
        expect(out == "c2Vjb25k", "the rotated token: " + out)
        out = self.k.out("get", "secrets", "-n", "creds-ns")
        expect(out.splitlines()[0].split() == ["NAME", "TYPE", "DATA", "AGE"], out)
        out = self.k.out("delete", "namespace", "creds-ns")
        expect('namespace "creds-ns" deleted' in out, out)
        gone = self.k.run("get", "secret", "provider-token", "-n", "creds-ns", expect_ok=False)
        expect(gone.returncode != 0 and "NotFound" in gone.stderr, gone)

    def step_describe_with_event(self):
        uid = self.ws_json()["metadata"]["uid"]
        event = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                 "metadata": {"name": WS + ".created", "namespace": NS},
                 "eventTime": "2026-01-01T00:00:00.000000Z",
                 "reportingController": "workspace-operator.io/controller",
                 "reportingInstance": "controller-0", "action": "Create", "reason": "Created",
                 "type": "Normal", "note": "created remote workspace r-123",
                 "regarding": {"apiVersion": "workspace-operator.io/v1alpha1", "kind": "Workspace",
                               "namespace": NS, "name": WS, "uid": uid}}
        self.k.out("create", "-f", self.file("event.json", json.dumps(event)))
        out = self.k.out("describe", "ws", WS, "-n", NS)
        for text in ("Name:         " + WS, "Type:                  Ready",
                     "Created", "created remote workspace r-123", "Remote Id:"):
            expect(text in out, "describe lacks %r: %s" % (text, out))
        out = self.k.out("get", "events", "-n", NS)
        expect("workspace/" + WS in out and "Created" in out, out)

    def step_delete_with_finalizer(self):
        out = self.k.out("patch", "ws", WS, "-n", NS, "--type=merge", "-p",
                         '{"metadata":{"finalizers":["workspace-operator.io/finalizer"]}}')
        expect("patched" in out, out)
        deleter = self.k.start("delete", "ws", WS, "-n", NS, "--timeout=60s",
                               output=subprocess.PIPE)
        try:
            wait_until(lambda: self.ws_json()["metadata"].get("deletionTimestamp"),
                       "deletionTimestamp to be set")
            time.sleep(0.5)
            expect(deleter.poll() is None, "kubectl delete returned while a finalizer remains")
            expect(self.ws_json()["metadata"]["finalizers"] == ["workspace-operator.io/finalizer"],
                   "finalizer lost")
            out = self.k.out("patch", "ws", WS, "-n", NS, "--type=json", "-p",
                             '[{"op":"remove","path":"/metadata/finalizers"}]')
            expect("patched" in out, out)
            out, _ = deleter.communicate(timeout=60)
            expect(deleter.returncode == 0 and '"%s" deleted' % WS in out, out)
        finally:
            if deleter.poll() is None:
                deleter.kill()
                deleter.wait()
        gone = self.k.run("get", "ws", WS, "-n", NS, expect_ok=False)
        expect(gone.returncode != 0 and "NotFound" in gone.stderr, gone)
        out = self.k.out("delete", "providerconfig", "aether-prod")
        expect('"aether-prod" deleted' in out, out)


def run_unauthorized(kubectl, kubeconfig, scratch):
    config = yaml.safe_load(read(kubeconfig))
    config["users"][0]["user"]["token"] = "wrong-token"
    path = os.path.join(scratch, "wrong.kubeconfig")
    with open(path, "w") as stream:
        yaml.safe_dump(config, stream)
    wrong = Kubectl(kubectl.binary, path, kubectl.cache_dir + "-wrong")
    out = wrong.run("get", "namespaces", expect_ok=False)
    expect(out.returncode != 0 and ("Unauthorized" in out.stderr or
                                    "provide credentials" in out.stderr), out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubectl", default="/usr/bin/kubectl")
    parser.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    options = parser.parse_args()
    if not (os.path.isfile(options.kubectl) and os.access(options.kubectl, os.X_OK)):
        print("FAIL: kubectl not found at %s (CI machines have kubectl 1.32)" % options.kubectl)
        return 1
    scratch = tempfile.mkdtemp(prefix="wsop-kubectl-")
    double = DoubleProcess(scratch, tls=True, tokens=["kubectl-test-token"], crds="none")
    passed, failed = 0, 0
    try:
        double.start()
        kubectl = Kubectl(options.kubectl, double.kubeconfig, os.path.join(scratch, "cache"))
        scenario = Scenario(kubectl, options.source_dir, scratch)
        steps = [("version", scenario.step_version),
                 ("apply CRDs", scenario.step_apply_crds),
                 ("apply examples, diff", scenario.step_apply_examples),
                 ("get printer columns, -o yaml, explain", scenario.step_get_printer_columns),
                 ("get -w, wait, patch --subresource=status", scenario.step_watch_and_wait),
                 ("label, annotate", scenario.step_label_annotate),
                 ("create namespace, create secret (protobuf)", scenario.step_typed_commands),
                 ("describe with an event", scenario.step_describe_with_event),
                 ("delete with a finalizer", scenario.step_delete_with_finalizer),
                 ("wrong token", lambda: run_unauthorized(kubectl, double.kubeconfig, scratch))]
        for name, step in steps:
            started = time.monotonic()
            try:
                step()
                passed += 1
                print("ok   %-45s %.1fs" % (name, time.monotonic() - started), flush=True)
            except (AssertionError, subprocess.TimeoutExpired) as err:
                failed += 1
                print("FAIL %-45s %s" % (name, err), flush=True)
                break  # later steps build on this one
    finally:
        double.stop()
        if failed:
            print("--- the double's log ---\n" + double.log())
        shutil.rmtree(scratch, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed == len(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
