"""The OpenAPI v3 documents of the Kubernetes API double, as much of them as
kubectl 1.32 reads: the root lists one document per group-version, and each
document has the paths of its resources whose write operations accept the
fieldValidation query parameter. kubectl then leaves validation to the server
(fieldValidation=Strict) instead of downloading schemas to validate itself."""

import hashlib
import json

_QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation"]
_PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json",
                "application/apply-patch+yaml"]


def _gv_path(group, version):
    return "api/%s" % version if not group else "apis/%s/%s" % (group, version)


def _operation(rtype, action, writes, patch=False):
    op = {"operationId": "%s%s" % (action, rtype.kind),
          "x-kubernetes-action": action,
          "x-kubernetes-group-version-kind": {"group": rtype.group, "version": rtype.version,
                                              "kind": rtype.kind},
          "parameters": [{"name": p, "in": "query", "schema": {"type": "string"},
                          "uniqueItems": True} for p in (_QUERY_PARAMS if writes else [])],
          "responses": {"200": {"description": "OK",
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/" + _schema_name(rtype)}}}}}}
    if patch:
        op["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in _PATCH_TYPES},
                             "required": True}
    return op


def _schema_name(rtype):
    group = ".".join(reversed(rtype.group.split("."))) if rtype.group else "io.k8s.api.core"
    return "%s.%s.%s" % (group, rtype.version, rtype.kind)


def group_version_document(registry, group, version):
    types = [t for t in registry._snapshot() if t.group == group and t.version == version]
    if not types:
        return None
    paths, schemas = {}, {}
    prefix = "/" + _gv_path(group, version)
    for rtype in types:
        scope = prefix + ("/namespaces/{namespace}" if rtype.namespaced else "")
        paths["%s/%s" % (scope, rtype.plural)] = {
            "get": _operation(rtype, "list", False),
            "post": _operation(rtype, "post", True)}
        paths["%s/%s/{name}" % (scope, rtype.plural)] = {
            "get": _operation(rtype, "get", False), "put": _operation(rtype, "put", True),
            "patch": _operation(rtype, "patch", True, True),
            "delete": _operation(rtype, "delete", True)}
        if rtype.has_status:
            status_ops = {"get": _operation(rtype, "get", False),
                          "put": _operation(rtype, "put", True),
                          "patch": _operation(rtype, "patch", True, True)}
            for op in status_ops.values():
                op["operationId"] += "Status"
            paths["%s/%s/{name}/status" % (scope, rtype.plural)] = status_ops
        schema = dict(rtype.schema or {"type": "object"})
        schema["x-kubernetes-group-version-kind"] = [
            {"group": rtype.group, "version": rtype.version, "kind": rtype.kind}]
        schemas[_schema_name(rtype)] = schema
    return {"openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.32.0-wsop-double"},
            "paths": paths, "components": {"schemas": schemas}}


def root_document(registry):
    paths = {}
    for group, versions in registry.group_versions():
        for version in versions:
            doc = group_version_document(registry, group, version)
            digest = hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:64]
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (path, digest.upper())}
    return {"paths": paths}


def document_for(registry, path):
    """The document of /openapi/v3/<path> or None."""
    parts = [p for p in path.split("/") if p]
    if parts == ["openapi", "v3"]:
        return root_document(registry)
    rest = parts[2:]
    if len(rest) == 2 and rest[0] == "api":
        return group_version_document(registry, "", rest[1])
    if len(rest) == 3 and rest[0] == "apis":
        return group_version_document(registry, rest[1], rest[2])
    return None
