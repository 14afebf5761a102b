"""The rules every object's metadata follows in the Kubernetes API double
(names, label and annotation keys and values, unknown metadata fields
dropped), the name rules of built-in objects and what an events.k8s.io/v1
Event needs; kube_schema.make_validator applies them on every write."""

import re

from kube_util import invalid

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _short(value):
    import json
    return json.dumps(value, separators=(",", ":"))[:80]


def validate_new_event(core):
    """What kube-apiserver requires of an events.k8s.io/v1 Event it creates
    (checked on the stored core/v1 form, named as in events.k8s.io/v1)."""
    errors = []
    for core_name, name in (("eventTime", "eventTime"), ("reportingComponent", "reportingController"),
                            ("reportingInstance", "reportingInstance"), ("action", "action"),
                            ("reason", "reason")):
        if not core.get(core_name):
            errors.append((name, "Required value"))
    if core.get("type") not in ("Normal", "Warning"):
        errors.append(("type", 'Unsupported value: %s: supported values: "Normal", "Warning"'
                       % _short(core.get("type", ""))))
    if len((core.get("message") or "").encode()) > 1024:
        errors.append(("note", "Too long: may not be more than 1024 bytes"))
    for name in ("reportingInstance", "action", "reason"):
        if len(core.get(name) or "") > 128:
            errors.append((name, "Too long: may not be more than 128 bytes"))
    if errors:
        raise invalid("Event.events.k8s.io", core.get("metadata", {}).get("name", ""),
                      "events.k8s.io", errors)


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _validate_builtin_name(rtype, obj):
    """Namespaces are DNS-1123 labels; the other built-in objects' names subdomains."""
    name = obj.get("metadata", {}).get("name", "")
    if rtype.kind == "Namespace":
        ok, what, limit = _DNS_LABEL.match(name), "label", 63
    else:
        ok, what, limit = _DNS_SUBDOMAIN.match(name), "subdomain", 253
    if not ok or len(name) > limit:
        qualified = "%s.%s" % (rtype.kind, rtype.group) if rtype.group else rtype.kind
        raise invalid(qualified, name, rtype.group,
                      [("metadata.name", "Invalid value: %s: a lowercase RFC 1123 %s must "
                        "consist of lower case alphanumeric characters, '-' or '.', and must "
                        "start and end with an alphanumeric character" % (_short(name), what))])


_OBJECT_META = {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                "generation", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
                "finalizers", "managedFields"}
_NAME_PART = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


_KEY_PROBLEMS = {}  # key -> _qualified_name_error(key): the same few keys come back


def _qualified_name_error(key):
    """apimachinery's IsQualifiedName: [prefix/]name, prefix a DNS subdomain."""
    try:
        return _KEY_PROBLEMS[key]
    except (KeyError, TypeError):
        pass
    problem = _check_qualified_name(key)
    if isinstance(key, str):
        if len(_KEY_PROBLEMS) > 10000:
            _KEY_PROBLEMS.clear()
        _KEY_PROBLEMS[key] = problem
    return problem


def _check_qualified_name(key):
    prefix, _, name = key.rpartition("/")
    if "/" in prefix or (prefix and (not _DNS_SUBDOMAIN.match(prefix) or len(prefix) > 253)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _NAME_PART.match(name):
        return ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character, at most 63 characters")
    return None


def validate_metadata(rtype, obj):
    """ObjectMeta as every type has it: unknown fields dropped, label and annotation keys
    qualified names, label values at most 63 characters of the same alphabet."""
    meta = obj.get("metadata") or {}
    for key in [k for k in meta if k not in _OBJECT_META]:
        del meta[key]
    errors = []
    for key, value in (meta.get("labels") or {}).items():
        problem = _qualified_name_error(key)
        if problem:
            errors.append(("metadata.labels", "Invalid value: %s: %s" % (_short(key), problem)))
        if not isinstance(value, str) or len(value) > 63 or (value and not _NAME_PART.match(value)):
            errors.append(("metadata.labels", "Invalid value: %s: a valid label must be an empty "
                           "string or consist of alphanumeric characters, '-', '_' or '.', and "
                           "must start and end with an alphanumeric character" % _short(value)))
    annotations = meta.get("annotations") or {}
    for key, value in annotations.items():
        problem = _qualified_name_error(key)
        if problem or not isinstance(value, str):
            errors.append(("metadata.annotations", "Invalid value: %s: %s"
                           % (_short(key), problem or "must be a string")))
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > 256 * 1024:
        errors.append(("metadata.annotations", "Too long: must have at most 262144 bytes"))
    if errors:
        qualified = "%s.%s" % (rtype.kind, rtype.group) if rtype.group else rtype.kind
        raise invalid(qualified, meta.get("name", ""), rtype.group, errors)
