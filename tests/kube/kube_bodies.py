"""Request bodies of the Kubernetes API double: JSON, YAML or the protobuf of
kubectl's typed commands, and the patch types kube-apiserver accepts (merge,
JSON patch, strategic merge on built-in types, apply)."""

import json

import yaml

import kube_protobuf
from kube_util import ApiError, bad_request, json_patch, merge_patch

PATCH_TYPES = ("application/merge-patch+json", "application/json-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


def _media_type(content_type):
    return (content_type or "application/json").split(";")[0].strip()


def parse_body(content_type, raw):
    """The object in a request body; 415 for a format the double does not read."""
    if not raw:
        return {}
    media = _media_type(content_type)
    if media.endswith("yaml"):
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as err:
            raise bad_request("error converting YAML to JSON: %s" % err)
    if media == "application/vnd.kubernetes.protobuf":
        # kubectl's typed commands (create namespace / secret / configmap) send protobuf.
        decoded = kube_protobuf.decode(raw)
        if decoded is not None:
            return decoded
    if media not in ("application/json",) + PATCH_TYPES:
        raise ApiError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media "
                       "types include: application/json, application/yaml")
    try:
        return json.loads(raw)
    except ValueError as err:
        raise bad_request("couldn't get version/kind; json parse error: %s" % err)


def check_patch_type(rtype, content_type):
    """The patch's media type; 415 when kube-apiserver would refuse it for rtype."""
    media = _media_type(content_type)
    if media not in PATCH_TYPES:
        raise ApiError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media "
                       "types include: " + ", ".join(PATCH_TYPES[:3]))
    if media == "application/strategic-merge-patch+json" and rtype.crd:
        raise ApiError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media types "
                       "include: application/json-patch+json, application/merge-patch+json, "
                       "application/apply-patch+yaml")
    return media


def _without_directives(patch):
    if isinstance(patch, dict):
        return {k: _without_directives(v) for k, v in patch.items() if not k.startswith("$")}
    if isinstance(patch, list):
        return [_without_directives(v) for v in patch]
    return patch


def patch_mutator(media, patch):
    """mutate(current object) -> patched object. A strategic merge patch is applied as a
    merge patch without its $patch / $setElementOrder directives (no list merge keys)."""
    if media == "application/json-patch+json":
        return lambda current: json_patch(current, patch)
    if media == "application/strategic-merge-patch+json":
        patch = _without_directives(patch)
    if not isinstance(patch, dict):
        raise bad_request("the patch must be a JSON object")
    return lambda current: merge_patch(current, patch)
