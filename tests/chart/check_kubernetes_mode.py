"""The checks of check_rendered.py that depend on source.mode kubernetes.

In kubernetes mode the controller watches Workspace and ProviderConfig resources through the
Kubernetes API and keeps no local state, so the rendered output must hold: the --source
kubernetes flags as the values ask, exactly the RBAC rules the controller needs (never a
wildcard), the service account token mounted, no state volume, PVC or manifests ConfigMap,
the replicas with leader election, RollingUpdate and a PodDisruptionBudget. In the other modes
none of this may appear.

Each function takes `check(condition, message)` from check_rendered.py.
"""
import re
import subprocess

# The kubernetes-mode flags are checked against `wsctl controller --help`, like the flags of
# the other modes (False: against the static list below only, as before the controller had
# them).
KUBERNETES_FLAGS_IN_BINARY = True

# The flags of `wsctl controller --source kubernetes` (the interface agreed with the
# controller side), beside --source itself.
KUBERNETES_ONLY_FLAGS = {
    "kubeconfig", "namespace", "leader-elect", "leader-election-namespace", "leader-election-id",
}
# The controller's flags shared by every mode.
COMMON_FLAGS = {
    "workers", "resync", "metrics-addr", "instance-id", "prune", "max-prune", "shutdown-grace",
    "stall-timeout", "max-connections", "log-format", "log-level", "credentials-dir",
    "credentials-env-pattern",
}
# Flags of a local state store or of source directories: never in kubernetes mode.
FILE_MODE_ONLY_FLAGS = {"state", "init", "source-poll", "backup-dir", "backup-every", "backup-keep"}

RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
GROUP = "workspace-operator.io"


def _rules(group, resource, verbs, names=("",)):
    return {(group, resource, verb, name) for verb in verbs for name in names}


PROVIDERCONFIG_RULES = (_rules(GROUP, "providerconfigs", ["get", "list", "watch"])
                        | _rules(GROUP, "providerconfigs/status", ["get", "update", "patch"]))
WORKSPACE_RULES = (_rules(GROUP, "workspaces", ["get", "list", "watch", "update", "patch"])
                   | _rules(GROUP, "workspaces/status", ["get", "update", "patch"])
                   | _rules(GROUP, "workspaces/finalizers", ["update"])
                   | _rules("", "events", ["create", "patch"])
                   | _rules("events.k8s.io", "events", ["create", "patch"]))
LEASE_RULES = _rules("coordination.k8s.io", "leases", ["get", "create", "update"])


def is_kubernetes_mode(values):
    return values["source"]["mode"] == "kubernetes"


def expected_replicas(values):
    if values.get("replicaCount") is not None:
        return values["replicaCount"]
    if is_kubernetes_mode(values) and values["leaderElection"]["enabled"]:
        return 2
    return 1


def binary_controller_flags(wsctl):
    """The long options `wsctl controller --help` lists."""
    result = subprocess.run([wsctl, "controller", "--help"], capture_output=True, text=True)
    text = result.stdout + result.stderr
    return set(re.findall(r"^\s+(?:-\w \[ )?--([a-z][a-z0-9-]*)", text, re.MULTILINE))


def check_flags_known(check, flags, wsctl, values):
    """Every rendered controller flag exists in `wsctl controller --help`; in kubernetes mode,
    until KUBERNETES_FLAGS_IN_BINARY, its own flags are taken from the agreed list above
    instead, and the others must also be common to every mode."""
    binary = binary_controller_flags(wsctl)
    help_origin = f"`{wsctl} controller --help`"
    if not check(binary, f"no flags parsed from {help_origin}"):
        return
    static = is_kubernetes_mode(values) and not KUBERNETES_FLAGS_IN_BINARY
    for flag in flags:
        if static and flag in KUBERNETES_ONLY_FLAGS | {"source"}:
            continue
        if static:
            check(flag in COMMON_FLAGS,
                  f"controller flag --{flag} is not in the kubernetes-mode flag list of "
                  "tests/chart/check_kubernetes_mode.py")
        check(flag in binary, f"controller flag --{flag} is not in {help_origin}")


def check_workload(check, values, dep, pod, pod_meta, by_kind):
    """Replicas, strategy, token and PodDisruptionBudget, in every mode."""
    spec = dep["spec"]
    kube = is_kubernetes_mode(values)
    replicas = expected_replicas(values)
    leader_elect = kube and values["leaderElection"]["enabled"]
    check(spec.get("replicas") == replicas, f"Deployment replicas is {spec.get('replicas')}, expected {replicas}")
    strategy = spec.get("strategy") or {}
    if leader_elect:
        check(strategy.get("type") == "RollingUpdate",
              f"Deployment strategy is {strategy.get('type')}, expected RollingUpdate (leader election)")
        check((strategy.get("rollingUpdate") or {}).get("maxUnavailable") == 0,
              "RollingUpdate must keep every replica until its successor is Ready (maxUnavailable 0)")
    else:
        check(replicas == 1, f"{replicas} replicas without leader election")
        check(strategy.get("type") == "Recreate", f"Deployment strategy is {strategy.get('type')}, expected Recreate")
    token = pod.get("automountServiceAccountToken")
    if kube:
        check(token is True, "kubernetes mode: automountServiceAccountToken is not true")
    else:
        check(token is False, "automountServiceAccountToken is not false")

    pdbs = by_kind.get("PodDisruptionBudget", [])
    want_pdb = kube and replicas > 1 and values["podDisruptionBudget"]["enabled"]
    check(len(pdbs) == (1 if want_pdb else 0), f"{len(pdbs)} PodDisruptionBudgets rendered, expected "
          f"{1 if want_pdb else 0} (mode {values['source']['mode']}, {replicas} replicas)")
    for pdb in pdbs:
        check(pdb["spec"].get("maxUnavailable") == 1, "the PodDisruptionBudget's maxUnavailable is not 1")
        check(pdb["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"],
              "the PodDisruptionBudget does not select the Deployment's pods")
    if kube and replicas > 1 and not values.get("affinity"):
        terms = (((pod.get("affinity") or {}).get("podAntiAffinity") or {})
                 .get("preferredDuringSchedulingIgnoredDuringExecution") or [])
        check(any((t.get("podAffinityTerm") or {}).get("topologyKey") == "kubernetes.io/hostname"
                  for t in terms), "several replicas without a pod anti-affinity over nodes")


def check_kubernetes_args(check, values, flags, fullname, release_namespace):
    """The --source kubernetes flags agree with the values; no local state flag."""
    check(flags.get("source") == ["kubernetes"], f"--source is {flags.get('source')}, expected ['kubernetes']")
    for flag in sorted(FILE_MODE_ONLY_FLAGS & set(flags)):
        check(False, f"kubernetes mode keeps no local state, but --{flag} is passed")
    namespaces = [n for v in flags.get("namespace", []) for n in str(v).split(",") if n]
    want = values["source"]["kubernetes"]["namespaces"]
    check(sorted(namespaces) == sorted(want),
          f"--namespace {sorted(namespaces)} differs from source.kubernetes.namespaces {sorted(want)}")
    le = values["leaderElection"]
    if le["enabled"]:
        check(flags.get("leader-elect") == [True], f"--leader-elect is {flags.get('leader-elect')}")
        ns = le["namespace"] or release_namespace
        check(flags.get("leader-election-namespace") == [ns],
              f"--leader-election-namespace is {flags.get('leader-election-namespace')}, expected [{ns!r}]")
        lease = le["id"] or f"{fullname}-leader"
        check(flags.get("leader-election-id") == [lease],
              f"--leader-election-id is {flags.get('leader-election-id')}, expected [{lease!r}]")
    else:
        for flag in ("leader-elect", "leader-election-namespace", "leader-election-id"):
            check(flag not in flags, f"--{flag} is passed although leaderElection.enabled is false")


def check_no_local_state(check, values, ctl, pod, pod_meta, by_kind):
    """Kubernetes mode: no state volume, PVC, source ConfigMap or checksum of one."""
    check("PersistentVolumeClaim" not in by_kind, "kubernetes mode renders a PersistentVolumeClaim")
    for v in pod.get("volumes") or []:
        check("persistentVolumeClaim" not in v, f"kubernetes mode mounts the claim of volume {v['name']}")
        check(v["name"] not in ("state", "state-backup", "manifests", "providerconfigs", "git"),
              f"kubernetes mode has a volume {v['name']}")
    for cm in by_kind.get("ConfigMap", []):
        source = (cm["metadata"].get("labels") or {}).get("workspace-operator.io/source")
        check(source is None, f"kubernetes mode renders the {source} source ConfigMap {cm['metadata']['name']}")
    for key in (pod_meta.get("annotations") or {}):
        check(not key.startswith("checksum/"), f"kubernetes mode has the pod annotation {key}")
    check(not [c for c in pod.get("containers", []) if c["name"] != "controller"],
          "kubernetes mode runs a container beside the controller")


def granted_rules(check, by_kind, sa_name, sa_namespace):
    """What the rendered RBAC grants the ServiceAccount: {scope: rules}, scope "" for the
    cluster, else a namespace. Fails on a wildcard and on any other subject."""
    roles = {}
    for kind in ("ClusterRole", "Role"):
        for role in by_kind.get(kind, []):
            meta = role["metadata"]
            rules = set()
            for rule in role.get("rules") or []:
                check("nonResourceURLs" not in rule, f"{kind}/{meta['name']} grants nonResourceURLs")
                for field in ("apiGroups", "resources", "verbs", "resourceNames"):
                    check("*" not in (rule.get(field) or []), f"{kind}/{meta['name']}: a wildcard in {field}")
                for group in rule.get("apiGroups") or []:
                    for resource in rule.get("resources") or []:
                        for verb in rule.get("verbs") or []:
                            for name in rule.get("resourceNames") or [""]:
                                rules.add((group, resource, verb, name))
            roles[(kind, meta.get("namespace"), meta["name"])] = rules
    granted = {}
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for binding in by_kind.get(kind, []):
            meta = binding["metadata"]
            subjects = binding.get("subjects") or []
            check(subjects == [{"kind": "ServiceAccount", "name": sa_name, "namespace": sa_namespace}],
                  f"{kind}/{meta['name']} binds {subjects}, expected only the ServiceAccount "
                  f"{sa_namespace}/{sa_name}")
            ref = binding["roleRef"]
            role_ns = meta.get("namespace") if ref["kind"] == "Role" else None
            rules = roles.get((ref["kind"], role_ns, ref["name"]))
            if not check(rules is not None, f"{kind}/{meta['name']} refers to {ref['kind']}/{ref['name']}, "
                         "which is not rendered"):
                continue
            scope = "" if kind == "ClusterRoleBinding" else meta.get("namespace")
            granted.setdefault(scope, set()).update(rules)
    return granted


def expected_rules(values, release_namespace):
    expected = {"": set(PROVIDERCONFIG_RULES)}
    namespaces = values["source"]["kubernetes"]["namespaces"]
    if not namespaces:
        expected[""] |= WORKSPACE_RULES
    for ns in namespaces:
        expected.setdefault(ns, set()).update(WORKSPACE_RULES)
    names = values["rbac"]["secretNames"] or [""]
    for ns in values["rbac"]["secretNamespaces"] or [release_namespace]:
        expected.setdefault(ns, set()).update(_rules("", "secrets", ["get", "list", "watch"], names))
    le = values["leaderElection"]
    if le["enabled"]:
        expected.setdefault(le["namespace"] or release_namespace, set()).update(LEASE_RULES)
    return expected


def check_rbac(check, values, by_kind, sa_name, release_namespace):
    """Exactly the rules the controller needs, in kubernetes mode with rbac.create; none
    otherwise."""
    rendered = [d for kind in RBAC_KINDS for d in by_kind.get(kind, [])]
    if not (is_kubernetes_mode(values) and values["rbac"]["create"]):
        check(not rendered, f"{len(rendered)} RBAC objects rendered (mode {values['source']['mode']}, "
              f"rbac.create {values['rbac']['create']}); expected none")
        return
    granted = granted_rules(check, by_kind, sa_name, release_namespace)
    expected = expected_rules(values, release_namespace)
    for scope in sorted(set(granted) | set(expected)):
        where = f"namespace {scope}" if scope else "the cluster"
        extra = granted.get(scope, set()) - expected.get(scope, set())
        missing = expected.get(scope, set()) - granted.get(scope, set())
        check(not extra, f"RBAC grants more than needed in {where}: {sorted(extra)}")
        check(not missing, f"RBAC lacks rules in {where}: {sorted(missing)}")


def check_leader_alerts(check, values, rule):
    """The leadership alerts exist exactly in kubernetes mode with leader election."""
    alerts = {r.get("alert"): r for g in rule["spec"].get("groups") or [] for r in g.get("rules") or []}
    want = is_kubernetes_mode(values) and values["leaderElection"]["enabled"]
    for name in ("WorkspaceOperatorNoLeader", "WorkspaceOperatorSeveralLeaders"):
        if check((name in alerts) == want, f"alert {name} present={name in alerts}, expected {want}"):
            if want:
                check("workspace_operator_leader" in alerts[name]["expr"],
                      f"alert {name} does not use workspace_operator_leader")
