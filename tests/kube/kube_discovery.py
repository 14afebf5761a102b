"""The registry of served resource types of the Kubernetes API double, its
discovery documents (/api, /apis, /apis/<group>, .../<version>) and the
meta.k8s.io/v1 Table answers kubectl asks for."""

import threading

from kube_types import builtin_types, types_from_crd

SERVER_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-wsop-double",
                  "gitCommit": "0000000000000000000000000000000000000000",
                  "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z",
                  "goVersion": "go1.23.4", "compiler": "gc", "platform": "linux/amd64"}

# Groups in the order kube-apiserver lists them (its own first, then CRDs by name).
_BUILTIN_GROUP_ORDER = ["", "events.k8s.io", "coordination.k8s.io", "apiextensions.k8s.io"]


class Registry:
    """Resource types by (group, version, plural); CRD types come and go with their CRDs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.types = {}
        for rtype in builtin_types():
            self.types[(rtype.group, rtype.version, rtype.plural)] = rtype

    def lookup(self, group, version, plural):
        with self.lock:
            return self.types.get((group, version, plural))

    def storage_owner(self, storage):
        """A type serving `storage` in its stored form (no view conversion)."""
        with self.lock:
            for rtype in self.types.values():
                if rtype.storage == storage and rtype.to_view is None:
                    return rtype
        return None

    def apply_crd(self, crd, deleted):
        group, plural = crd["spec"]["group"], crd["spec"]["names"]["plural"]
        with self.lock:
            for key in [k for k in self.types if k[0] == group and k[2] == plural]:
                del self.types[key]
            if not deleted:
                for rtype in types_from_crd(crd):
                    self.types[(rtype.group, rtype.version, rtype.plural)] = rtype

    def _snapshot(self):
        with self.lock:
            return list(self.types.values())

    def group_versions(self):
        """{group: [versions]} in discovery order."""
        found = {}
        for rtype in self._snapshot():
            versions = found.setdefault(rtype.group, [])
            if rtype.version not in versions:
                versions.append(rtype.version)
        order = [g for g in _BUILTIN_GROUP_ORDER if g in found]
        order += sorted(g for g in found if g not in _BUILTIN_GROUP_ORDER)
        return [(g, sorted(found[g], key=_version_priority)) for g in order]

    def resource_list(self, group, version):
        types = [t for t in self._snapshot() if t.group == group and t.version == version]
        if not types:
            return None
        resources = []
        for rtype in sorted(types, key=lambda t: t.plural):
            resources.extend(rtype.discovery_entries())
        if group == "" and version == "v1":
            resources.append({"name": "namespaces/finalize", "singularName": "", "namespaced": False,
                              "kind": "Namespace", "verbs": ["update"]})
        group_version = "%s/%s" % (group, version) if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
                "resources": resources}


def _version_priority(version):
    """Kubernetes version ordering: GA before beta before alpha, higher first."""
    import re
    m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", version)
    if not m:
        return (3, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor, version)


def api_versions(server_address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                            "serverAddress": server_address}]}


def _group_doc(group, versions):
    entries = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(registry):
    groups = [_group_doc(g, vs) for g, vs in registry.group_versions() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry, group):
    for g, versions in registry.group_versions():
        if g == group and g:
            return dict(_group_doc(g, versions), kind="APIGroup", apiVersion="v1")
    return None


# ---- Tables -----------------------------------------------------------------

def wants_table(accept):
    return "as=Table" in (accept or "") and "g=meta.k8s.io" in accept


def wants_metadata(accept):
    """Metadata-only clients (client-go's metadata informers) ask for PartialObjectMetadata."""
    return "as=PartialObjectMetadata" in (accept or "") and "g=meta.k8s.io" in accept


def partial(obj):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"]}


def _row_object(rtype, obj, include_object):
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    return partial(obj)


def table(rtype, objects, resource_version, include_object="Metadata", headers=True,
          continue_token=None, remaining=None):
    result = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
              "metadata": {"resourceVersion": resource_version}}
    if continue_token:
        result["metadata"]["continue"] = continue_token
    if remaining is not None:
        result["metadata"]["remainingItemCount"] = remaining
    if headers:
        result["columnDefinitions"] = [c.definition() for c in rtype.columns]
    rows = []
    for obj in objects:
        row = {"cells": [c.cell(obj) for c in rtype.columns]}
        embedded = _row_object(rtype, obj, include_object)
        if embedded is not None:
            row["object"] = embedded
        rows.append(row)
    result["rows"] = rows
    return result
