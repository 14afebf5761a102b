#!/usr/bin/python3
"""Checks the output of `helm template` for the workspace-operator chart.

Usage: check_rendered.py --rendered FILE --chart DIR --wsctl BIN --token TOKEN
                         [--promtool BIN] [--values FILE ...]

The values files are the ones given to `helm template`, merged over the chart's values.yaml
here so that the checks know what the output should contain. Prints one line per failed
check and exits 1 if any failed; exits 0 with a summary otherwise.

What it checks:
- no Secret is rendered, and TOKEN (a fake token the test values must never get rendered)
  appears nowhere in the output;
- every resource carries the standard app.kubernetes.io/* labels and helm.sh/chart;
- the Deployment: one replica, Recreate, automountServiceAccountToken false (kubernetes mode:
  the replicas, strategy, token and PodDisruptionBudget of check_kubernetes_mode.py), the
  hardened pod and container security contexts, resources, terminationGracePeriodSeconds above
  --shutdown-grace, the controller's arguments as the values ask and each known to
  `wsctl controller --help`, every environment variable taken from a Secret (never a literal
  value) except the proxy variables and the literal extraEnv the values set, and the extra
  volumes and mounts of the values;
- the liveness and readiness probes: GET /healthz and /readyz on the container port named
  "metrics", which is the port of --metrics-addr and the Service's target port;
- every --source directory is mounted (inline ConfigMap, ProviderConfigs ConfigMap or the
  git-sync volume shared with the git-sync container);
- the files of the rendered ConfigMaps pass `wsctl validate` (with the controller's own
  --credentials-dir and --credentials-env-pattern), and each ProviderConfig's credentials point
  at an env variable or a file the chart provides from a Secret;
- one --credentials-dir per provider credential Secret mounted as files (its mount path, never
  /proc, /sys or /dev), --credentials-env-pattern as the values set it, and every credential
  mounted as env matching the pattern in effect;
- the PersistentVolumeClaim, or an emptyDir when persistence is disabled; in kubernetes mode
  none, no source ConfigMap, and exactly the RBAC rules the controller needs
  (check_kubernetes_mode.py); in the other modes no RBAC at all;
- ServiceMonitor, PrometheusRule (rules extracted and run through `promtool check rules`) and
  the Grafana dashboard ConfigMap when enabled.
"""
import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback

import yaml

import check_kubernetes_mode as kube

failures = []


def fail(message):
    failures.append(message)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def deep_merge(base, override):
    """Helm's merge of values files: maps merge recursively, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_duration_seconds(text):
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)(ms|s|m|h)", text):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def args_map(args):
    """--flag=value arguments -> {flag: [values]}; bare --flag -> [True]."""
    out = {}
    for arg in args:
        if not isinstance(arg, str) or not arg.startswith("--"):
            continue
        key, sep, value = arg[2:].partition("=")
        out.setdefault(key, []).append(value if sep else True)
    return out


def under(path, mount):
    mount = mount.rstrip("/")
    return path == mount or path.startswith(mount + "/")


STANDARD_LABELS = [
    "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
    "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
    "helm.sh/chart",
]

EXPECTED_ALERTS = {
    "WorkspaceOperatorReconcileErrors": "controller_runtime_reconcile_errors_total",
    "WorkspaceOperatorWorkspacesNotReady": 'workspace_operator_workspaces',
    "WorkspaceOperatorCreatePendingUnresolved": "workspace_operator_create_pending_unresolved",
    "WorkspaceOperatorProviderRateLimited": 'code="429"',
    "WorkspaceOperatorSourceInvalid": "workspace_operator_source_valid",
}

DASHBOARD_METRICS = [
    "controller_runtime_reconcile_total", "controller_runtime_reconcile_errors_total",
    "workqueue_depth", "workspace_operator_provider_request_duration_seconds_bucket",
    "workspace_operator_provider_requests_total", "workspace_operator_workspaces",
]


def may_hold_token(env_name, values):
    """Whether the controller may take a token from this variable: the default
    --credentials-env-pattern, or the values' own (ECMAScript; Python's re reads the usual ones)."""
    patterns = [r"^[A-Z][A-Z0-9_]*_(TOKEN|API_KEY|KEY)$", values["controller"].get("credentialsEnvPattern")]
    for pattern in filter(None, patterns):
        try:
            if re.fullmatch(pattern, env_name):
                return True
        except re.error:
            pass
    return False


def check_security_context(name, ctx, pod_ctx, expect_user=None):
    ctx = ctx or {}
    pod_ctx = pod_ctx or {}

    def effective(key):
        return ctx.get(key, pod_ctx.get(key))

    check(effective("runAsNonRoot") is True, f"{name}: runAsNonRoot is not true")
    if expect_user is not None:
        check(effective("runAsUser") == expect_user,
              f"{name}: runAsUser is {effective('runAsUser')}, expected {expect_user}")
    check(ctx.get("readOnlyRootFilesystem") is True, f"{name}: readOnlyRootFilesystem is not true")
    check(ctx.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation is not false")
    check(ctx.get("privileged") in (None, False), f"{name}: privileged")
    drops = (ctx.get("capabilities") or {}).get("drop") or []
    check("ALL" in drops, f"{name}: capabilities.drop does not contain ALL")
    check(not (ctx.get("capabilities") or {}).get("add"), f"{name}: capabilities added")
    seccomp = effective("seccompProfile") or {}
    check(seccomp.get("type") == "RuntimeDefault", f"{name}: seccompProfile is not RuntimeDefault")


def validate_manifest_dirs(wsctl, dirs, credential_flags):
    """credential_flags: the controller's own --credentials-dir and --credentials-env-pattern
    arguments, so that validate accepts exactly the credentials the controller would."""
    cmd = [wsctl, "validate"]
    for d in dirs:
        cmd += ["-f", d]
    cmd += credential_flags
    result = subprocess.run(cmd, capture_output=True, text=True)
    check(result.returncode == 0,
          f"wsctl validate of the rendered ConfigMaps failed (exit {result.returncode}):\n"
          f"{result.stdout}{result.stderr}")


def check_backup_args(values, flags, ctl, pod):
    """Scheduled state backups: flags as the values say, into a mounted persistent volume."""
    persistence = values["persistence"]
    backup = persistence.get("backup") or {}
    if not (backup.get("enabled") and persistence.get("enabled")):
        check("backup-dir" not in flags, "--backup-dir is set although backups are off or the state "
              "is on an emptyDir")
        return
    claim = backup.get("existingClaim")
    want_dir = (backup["mountPath"] if claim else persistence["mountPath"].rstrip("/") + "/backups")
    check(flags.get("backup-dir") == [want_dir.rstrip("/")],
          f"--backup-dir is {flags.get('backup-dir')}, expected [{want_dir!r}]")
    check(flags.get("backup-every") == [backup["every"]], f"--backup-every is {flags.get('backup-every')}")
    check(flags.get("backup-keep") == [str(backup["keep"])], f"--backup-keep is {flags.get('backup-keep')}")
    mounts = {m["mountPath"].rstrip("/"): m["name"] for m in ctl.get("volumeMounts") or []}
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    mount = next((name for path, name in mounts.items() if under(want_dir, path)), None)
    if check(mount is not None, f"--backup-dir {want_dir} is on no mounted volume"):
        check("persistentVolumeClaim" in volumes.get(mount, {}),
              f"--backup-dir {want_dir} is on volume {mount}, which is not a PersistentVolumeClaim")
        if claim:
            got = volumes[mount]["persistentVolumeClaim"].get("claimName")
            check(got == claim, f"backups go to claim {got}, expected {claim}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rendered", required=True)
    parser.add_argument("--chart", required=True)
    parser.add_argument("--wsctl", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--promtool")
    parser.add_argument("--values", action="append", default=[])
    parser.add_argument("--release", default="ci")
    parser.add_argument("--namespace", default="default")
    opts = parser.parse_args()

    with open(os.path.join(opts.chart, "values.yaml")) as f:
        values = yaml.safe_load(f)
    for path in opts.values:
        with open(path) as f:
            values = deep_merge(values, yaml.safe_load(f) or {})

    with open(opts.rendered) as f:
        text = f.read()
    docs = [d for d in yaml.safe_load_all(text) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)

    # --- secrets never rendered
    check(opts.token not in text, f"the fake token {opts.token!r} appears in the rendered output")
    check("Secret" not in by_kind, "the chart renders a kind: Secret; it must only reference existing Secrets")

    # --- standard labels on every resource
    for d in docs:
        labels = (d.get("metadata") or {}).get("labels") or {}
        for label in STANDARD_LABELS:
            check(label in labels, f"{d['kind']}/{d['metadata'].get('name')}: label {label} missing")

    # --- the Deployment
    deployments = by_kind.get("Deployment", [])
    if not check(len(deployments) == 1, f"expected one Deployment, found {len(deployments)}"):
        return
    dep = deployments[0]
    spec = dep["spec"]
    kube_mode = kube.is_kubernetes_mode(values)
    pod_meta = spec["template"]["metadata"]
    pod = spec["template"]["spec"]
    selector = spec["selector"]["matchLabels"]
    for key, value in selector.items():
        check(pod_meta["labels"].get(key) == value, f"pod labels do not match the selector on {key}")
    kube.check_workload(check, values, dep, pod, pod_meta, by_kind)
    kube.check_rbac(check, values, by_kind, pod.get("serviceAccountName"), opts.namespace)
    pod_ctx = pod.get("securityContext") or {}
    check(pod_ctx.get("runAsNonRoot") is True, "pod securityContext: runAsNonRoot is not true")
    check(pod_ctx.get("fsGroup") == 65532, "pod securityContext: fsGroup is not 65532")

    containers = {c["name"]: c for c in pod.get("containers", [])}
    init_containers = {c["name"]: c for c in pod.get("initContainers", []) or []}
    if not check("controller" in containers, "no container named controller"):
        return
    ctl = containers["controller"]
    check_security_context("controller", ctl.get("securityContext"), pod_ctx, expect_user=65532)
    for name, c in list(containers.items()) + list(init_containers.items()):
        if name != "controller":
            check_security_context(name, c.get("securityContext"), pod_ctx)
        res = c.get("resources") or {}
        check(res.get("requests") and res.get("limits"), f"{name}: resources requests/limits missing")
        # Plain values only for the proxy variables (their URLs carry no credentials:
        # the values schema refuses them); everything else comes from a Secret.
        proxy_vars = {"HTTPS_PROXY", "http_proxy", "NO_PROXY"} if name == "controller" else set()
        # Literal extraEnv: never a variable the controller takes tokens from.
        literal_extra = ({e["name"] for e in values.get("extraEnv") or [] if "value" in e}
                         if name == "controller" else set())
        for env in c.get("env") or []:
            if env.get("name") in proxy_vars:
                check("@" not in str(env.get("value", "")), f"{name}: {env['name']} carries credentials")
                continue
            if env.get("name") in literal_extra:
                check(not may_hold_token(env["name"], values),
                      f"{name}: env {env['name']} may hold a token but is a literal value")
                continue
            check("value" not in env and "secretKeyRef" in (env.get("valueFrom") or {}),
                  f"{name}: env {env.get('name')} is not taken from a Secret (valueFrom.secretKeyRef)")
    proxy = (values["controller"].get("proxy") or {})
    want_env = {k: v for k, v in (("HTTPS_PROXY", proxy.get("httpsProxy")),
                                  ("http_proxy", proxy.get("httpProxy")),
                                  ("NO_PROXY", proxy.get("noProxy"))) if v}
    got_env = {e["name"]: e.get("value") for e in ctl.get("env") or [] if e["name"] in
               ("HTTPS_PROXY", "http_proxy", "NO_PROXY")}
    check(got_env == want_env, f"controller proxy environment {got_env} differs from values {want_env}")

    res = ctl.get("resources") or {}
    want = values["resources"]
    check(res == want, f"controller resources {res} differ from values {want}")

    args = ctl.get("args") or []
    check(args[:1] == ["controller"], f"controller args do not start with 'controller': {args[:1]}")
    flags = args_map(args)
    kube.check_flags_known(check, flags, opts.wsctl, values)
    for flag in ["source", "workers", "resync", "metrics-addr", "instance-id",
                 "log-format", "log-level", "shutdown-grace"] + ([] if kube_mode else ["state"]):
        check(flag in flags, f"controller args lack --{flag}")
    ctlv = values["controller"]
    expect = {
        "workers": str(ctlv["workers"]), "resync": ctlv["resync"],
        "log-format": ctlv["logFormat"], "log-level": ctlv["logLevel"],
        "instance-id": ctlv["instanceId"] or opts.release,
        "shutdown-grace": f"{ctlv['shutdownGraceSeconds']}s",
        "metrics-addr": f":{values['metrics']['port']}",
    }
    for flag, value in expect.items():
        check(flags.get(flag) == [value], f"--{flag} is {flags.get(flag)}, expected [{value!r}]")
    if kube_mode:
        kube.check_kubernetes_args(check, values, flags, dep["metadata"]["name"], opts.namespace)
    else:
        check_backup_args(values, flags, ctl, pod)
    check(("prune" in flags) == bool(ctlv["prune"]), f"--prune present={'prune' in flags}, values prune={ctlv['prune']}")
    grace = parse_duration_seconds((flags.get("shutdown-grace") or ["0s"])[0])
    tgps = pod.get("terminationGracePeriodSeconds")
    check(isinstance(tgps, int) and tgps > grace,
          f"terminationGracePeriodSeconds {tgps} is not above --shutdown-grace ({grace}s)")

    # --- ports and probes
    ports = {p.get("name"): p for p in ctl.get("ports") or []}
    metrics_port = ports.get("metrics")
    if check(metrics_port is not None, "controller has no container port named metrics"):
        check(str(metrics_port["containerPort"]) == str(values["metrics"]["port"]),
              f"metrics containerPort {metrics_port['containerPort']} differs from values {values['metrics']['port']}")
        check(flags.get("metrics-addr") == [f":{metrics_port['containerPort']}"],
              "--metrics-addr does not listen on the metrics container port")
    for probe_name, path in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")]:
        http = (ctl.get(probe_name) or {}).get("httpGet") or {}
        check(http.get("path") == path, f"{probe_name} path is {http.get('path')!r}, expected {path}")
        port = http.get("port")
        check(port == "metrics" or (metrics_port and port == metrics_port["containerPort"]),
              f"{probe_name} port is {port!r}, expected the metrics port")

    # --- volumes and mounts
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    mounts = {m["mountPath"].rstrip("/"): m for m in ctl.get("volumeMounts") or []}
    for m in ctl.get("volumeMounts") or []:
        check(m["name"] in volumes, f"controller mounts unknown volume {m['name']}")
    check("/tmp" in mounts and "emptyDir" in volumes.get(mounts["/tmp"]["name"], {}),
          "controller has no writable emptyDir at /tmp")
    for extra in values.get("extraEnv") or []:
        check(extra in (ctl.get("env") or []), f"extraEnv {extra['name']} is not rendered as given")
    for extra in values.get("extraVolumes") or []:
        check(volumes.get(extra["name"]) == extra, f"extraVolumes {extra['name']} is not rendered as given")
    for extra in values.get("extraVolumeMounts") or []:
        check(extra in (ctl.get("volumeMounts") or []), f"extraVolumeMounts {extra['name']} is not rendered as given")

    state = flags.get("state", [""])[0]
    state_mount = next((m for p, m in mounts.items() if under(state, p)), None)
    if kube_mode:
        kube.check_no_local_state(check, values, ctl, pod, pod_meta, by_kind)
    elif check(state_mount is not None, f"--state {state} is on no mounted volume"):
        check(not state_mount.get("readOnly"), "the state volume is mounted read-only")
        vol = volumes[state_mount["name"]]
        persistence = values["persistence"]
        if persistence["enabled"]:
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            check(claim is not None, "persistence enabled but the state volume is not a PVC")
            pvcs = {p["metadata"]["name"] for p in by_kind.get("PersistentVolumeClaim", [])}
            if persistence["existingClaim"]:
                check(claim == persistence["existingClaim"], f"state claim {claim} is not existingClaim")
                check(not pvcs, "a PVC is rendered although existingClaim is set")
            else:
                check(claim in pvcs, f"the state claim {claim} is not rendered")
        else:
            check("emptyDir" in vol, "persistence disabled but the state volume is not an emptyDir")
            check("PersistentVolumeClaim" not in by_kind, "persistence disabled but a PVC is rendered")

    configmaps = {c["metadata"]["name"]: c for c in by_kind.get("ConfigMap", [])}
    source_dirs = []
    git = values["source"]["git"]
    for source in ([] if kube_mode else flags.get("source", [])):
        mount = next(((p, m) for p, m in mounts.items() if under(source, p)), None)
        if not check(mount is not None, f"--source {source} is on no mounted volume"):
            continue
        path, m = mount
        check(m.get("readOnly") is True, f"source volume {m['name']} is not mounted read-only")
        vol = volumes[m["name"]]
        if "configMap" in vol:
            cm = configmaps.get(vol["configMap"]["name"])
            if check(cm is not None, f"ConfigMap {vol['configMap']['name']} of --source {source} is not rendered"):
                check(source == path, f"--source {source} is not the ConfigMap's mount path {path}")
                source_dirs.append(cm)
        elif "emptyDir" in vol:
            check(values["source"]["mode"] == "git", f"--source {source} is an emptyDir outside git mode")
            sync = containers.get("git-sync")
            if check(sync is not None, "git mode without a git-sync container"):
                sflags = args_map(sync.get("args") or [])
                root = (sflags.get("root") or [""])[0]
                link = (sflags.get("link") or [""])[0]
                sync_mounts = {x["name"]: x["mountPath"] for x in sync.get("volumeMounts") or []}
                check(sync_mounts.get(m["name"]) == root,
                      f"git-sync does not write --root {root} on the volume the controller reads")
                expected = f"{root.rstrip('/')}/{link}"
                sub = git["subdirectory"].strip("/")
                if sub:
                    expected += "/" + sub
                check(source == expected, f"--source {source} is not git-sync's link {expected}")
                check(sflags.get("repo") == [git["repo"]], f"git-sync --repo is {sflags.get('repo')}")
                check(sflags.get("ref") == [git["ref"]], f"git-sync --ref is {sflags.get('ref')}")
                check(sflags.get("period") == [git["period"]], f"git-sync --period is {sflags.get('period')}")
                check(("git-sync-init" in init_containers) == bool(git["initialSync"]),
                      "the git-sync init container does not follow source.git.initialSync")
                cred = git["credentialsSecret"]
                if cred["name"]:
                    secret_vols = [v for v in volumes.values()
                                   if (v.get("secret") or {}).get("secretName") == cred["name"]]
                    check(len(secret_vols) == 1, "the git credentials Secret is not mounted")
                    check(any(x.get("readOnly") for x in sync.get("volumeMounts") or []
                              if secret_vols and x["name"] == secret_vols[0]["name"]),
                          "the git credentials Secret is not mounted read-only")
                    if cred["type"] == "ssh":
                        check("ssh-key-file" in sflags, "git-sync lacks --ssh-key-file")
                    else:
                        check("password-file" in sflags, "git-sync lacks --password-file")
                        check("password" not in sflags, "git-sync gets --password on its command line")
        else:
            fail(f"--source {source} is on volume {m['name']} of an unexpected type")
    check(len(flags.get("source", [])) >= 1, "no --source")
    if values["source"]["mode"] == "inline":
        check(any(cm["metadata"]["name"].endswith("-manifests") for cm in source_dirs),
              "inline mode: the manifests ConfigMap is not a --source")
        check(pod_meta.get("annotations", {}).get("checksum/manifests"),
              "inline mode: no checksum/manifests pod annotation")
    if values["providerConfigs"]:
        check(any(cm["metadata"]["name"].endswith("-providerconfigs") for cm in source_dirs),
              "providerConfigs set but their ConfigMap is not a --source")
        check(pod_meta.get("annotations", {}).get("checksum/providerconfigs"),
              "no checksum/providerconfigs pod annotation")

    # --- credentials: what the container gets from Secrets, and what ProviderConfigs use
    env_from_secret = {e["name"] for e in ctl.get("env") or []
                       if "secretKeyRef" in (e.get("valueFrom") or {})}
    secret_files = set()
    for m in ctl.get("volumeMounts") or []:
        vol = volumes.get(m["name"], {})
        if "secret" in vol:
            check(m.get("readOnly") is True, f"Secret volume {m['name']} is not mounted read-only")
            for item in vol["secret"].get("items") or []:
                secret_files.add(f"{m['mountPath'].rstrip('/')}/{item['path']}")
    # The controller reads token files only under --credentials-dir: exactly the mount paths
    # of the provider credential Secrets, never /proc, /sys or /dev.
    credential_mounts = set()
    for m in ctl.get("volumeMounts") or []:
        if m["name"].startswith("credential-") and "secret" in volumes.get(m["name"], {}):
            credential_mounts.add(m["mountPath"].rstrip("/"))
    credential_dirs = flags.get("credentials-dir", [])
    check(sorted(credential_dirs) == sorted(credential_mounts),
          f"--credentials-dir {sorted(credential_dirs)} differs from the credential Secret mounts "
          f"{sorted(credential_mounts)}")
    for d in credential_dirs:
        check(isinstance(d, str) and not re.match(r"^/(proc|sys|dev)(/|$)", d) and d not in ("", "/"),
              f"--credentials-dir {d!r} names a directory the controller refuses")
    env_pattern = values["controller"].get("credentialsEnvPattern") or ""
    check(flags.get("credentials-env-pattern", []) == ([env_pattern] if env_pattern else []),
          f"--credentials-env-pattern is {flags.get('credentials-env-pattern')}, "
          f"expected {[env_pattern] if env_pattern else 'none (the default)'}")
    effective_pattern = env_pattern or r"^[A-Z][A-Z0-9_]*_(TOKEN|API_KEY|KEY)$"
    for cred in values["providerCredentials"]:
        if cred["mountAs"] == "env":
            check(re.fullmatch(effective_pattern, cred["name"]) is not None,
                  f"credential {cred['name']} does not match the controller's "
                  f"--credentials-env-pattern {effective_pattern}")
            check(cred["name"] in env_from_secret, f"credential {cred['name']} is not an env var from a Secret")
        else:
            check(any(p.endswith("/" + cred["secretKey"]) for p in secret_files),
                  f"credential {cred['name']} is not mounted as a file from a Secret")

    # --- the rendered manifests pass wsctl validate
    if source_dirs:
        with tempfile.TemporaryDirectory(prefix="wsop-chart-") as tmp:
            dirs = []
            for cm in source_dirs:
                d = os.path.join(tmp, cm["metadata"]["name"])
                os.makedirs(d)
                for name, content in (cm.get("data") or {}).items():
                    with open(os.path.join(d, name), "w") as f:
                        f.write(content)
                dirs.append(d)
            credential_flags = [f"--credentials-dir={d}" for d in credential_dirs
                                if isinstance(d, str)]
            if env_pattern:
                credential_flags.append(f"--credentials-env-pattern={env_pattern}")
            validate_manifest_dirs(opts.wsctl, dirs, credential_flags)
        for doc in docs_of_configmaps(source_dirs):
            if doc.get("kind") != "ProviderConfig":
                continue
            creds = (doc.get("spec") or {}).get("credentials") or {}
            name = doc["metadata"]["name"]
            if "env" in creds:
                check(creds["env"] in env_from_secret,
                      f"ProviderConfig {name}: credentials.env {creds['env']} is not set from a Secret")
            elif "file" in creds:
                check(creds["file"] in secret_files,
                      f"ProviderConfig {name}: credentials.file {creds['file']} is not a mounted Secret key")
                check(any(creds["file"].startswith(d.rstrip("/") + "/") for d in credential_dirs
                          if isinstance(d, str)),
                      f"ProviderConfig {name}: credentials.file {creds['file']} is under no --credentials-dir")

    # --- Service
    services = by_kind.get("Service", [])
    if check(len(services) == 1, f"expected one Service, found {len(services)}"):
        svc = services[0]
        sports = {p.get("name"): p for p in svc["spec"].get("ports") or []}
        check("metrics" in sports, "the Service has no port named metrics")
        if "metrics" in sports:
            check(sports["metrics"].get("targetPort") in ("metrics", values["metrics"]["port"]),
                  "the Service's metrics port does not target the metrics container port")
        for key, value in svc["spec"]["selector"].items():
            check(pod_meta["labels"].get(key) == value, f"the Service selector {key} does not match the pod")

    # --- ServiceAccount
    sa_name = pod.get("serviceAccountName")
    sas = by_kind.get("ServiceAccount", [])
    if values["serviceAccount"]["create"]:
        check(any(s["metadata"]["name"] == sa_name for s in sas), "the pod's ServiceAccount is not rendered")
        for s in sas:
            check(s.get("automountServiceAccountToken") is False,
                  "ServiceAccount automountServiceAccountToken is not false")
    else:
        check(not sas, "serviceAccount.create is false but a ServiceAccount is rendered")

    # --- monitoring
    sms = by_kind.get("ServiceMonitor", [])
    check(len(sms) == (1 if values["serviceMonitor"]["enabled"] else 0),
          f"{len(sms)} ServiceMonitors rendered, serviceMonitor.enabled={values['serviceMonitor']['enabled']}")
    for sm in sms:
        check(sm["apiVersion"] == "monitoring.coreos.com/v1", "ServiceMonitor apiVersion")
        eps = sm["spec"].get("endpoints") or []
        check(any(e.get("port") == "metrics" and e.get("path", "/metrics") == "/metrics" for e in eps),
              "ServiceMonitor does not scrape port metrics at /metrics")
        if services:
            for key, value in sm["spec"]["selector"]["matchLabels"].items():
                check(services[0]["metadata"]["labels"].get(key) == value,
                      f"ServiceMonitor selector {key} does not match the Service")
    rules = by_kind.get("PrometheusRule", [])
    check(len(rules) == (1 if values["prometheusRule"]["enabled"] else 0),
          f"{len(rules)} PrometheusRules rendered, prometheusRule.enabled={values['prometheusRule']['enabled']}")
    for rule in rules:
        check_prometheus_rule(rule, opts.promtool)
        kube.check_leader_alerts(check, values, rule)
    dashboards = [c for c in by_kind.get("ConfigMap", [])
                  if (c["metadata"].get("labels") or {}).get("grafana_dashboard") == "1"]
    check(len(dashboards) == (1 if values["grafanaDashboard"]["enabled"] else 0),
          f"{len(dashboards)} dashboard ConfigMaps, grafanaDashboard.enabled={values['grafanaDashboard']['enabled']}")
    for cm in dashboards:
        for name, content in (cm.get("data") or {}).items():
            try:
                board = json.loads(content)
            except json.JSONDecodeError as e:
                fail(f"dashboard {name} is not JSON: {e}")
                continue
            exprs = " ".join(t.get("expr", "") for p in board.get("panels", []) for t in p.get("targets", []))
            for metric in DASHBOARD_METRICS:
                check(metric in exprs, f"dashboard {name} has no panel on {metric}")


def docs_of_configmaps(configmaps):
    for cm in configmaps:
        for content in (cm.get("data") or {}).values():
            for doc in yaml.safe_load_all(content):
                if isinstance(doc, dict):
                    yield doc


def check_prometheus_rule(rule, promtool):
    check(rule["apiVersion"] == "monitoring.coreos.com/v1", "PrometheusRule apiVersion")
    groups = rule["spec"].get("groups") or []
    alerts = {r.get("alert"): r for g in groups for r in g.get("rules") or [] if r.get("alert")}
    for alert, needle in EXPECTED_ALERTS.items():
        if check(alert in alerts, f"PrometheusRule lacks alert {alert}"):
            check(needle in alerts[alert]["expr"], f"alert {alert} does not use {needle}")
            check(alerts[alert].get("for"), f"alert {alert} has no 'for'")
            check((alerts[alert].get("labels") or {}).get("severity"), f"alert {alert} has no severity")
    if "WorkspaceOperatorWorkspacesNotReady" in alerts:
        check(alerts["WorkspaceOperatorWorkspacesNotReady"].get("for") == "15m",
              "WorkspaceOperatorWorkspacesNotReady is not 'for: 15m'")
    if not promtool:
        print("note: promtool not found; PrometheusRule not checked by promtool")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".rules.yaml", delete=False) as f:
        yaml.safe_dump({"groups": groups}, f, sort_keys=False)
        path = f.name
    try:
        result = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
        check(result.returncode == 0, f"promtool check rules failed:\n{result.stdout}{result.stderr}")
    finally:
        os.unlink(path)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash in a check is a failure to report, not a pass
        fail(f"checker error: {type(e).__name__}: {e}\n{traceback.format_exc()}")
    if failures:
        for message in failures:
            print(f"FAIL: {message}")
        sys.exit(1)
    print("ok: all checks passed")
