"""Structural-schema handling of custom resources, as kube-apiserver applies a
CRD's openAPIV3Schema on every write: unknown fields are pruned (a
fieldValidation=Strict request gets 400 for them instead), defaults are
filled in, then the object is validated (type, required, enum, pattern,
lengths, bounds, oneOf, not, list-type map keys) with 422 Invalid listing
every violation."""

import re
import threading

from kube_meta_rules import (_DNS_SUBDOMAIN, _short, _validate_builtin_name, validate_metadata,
                             validate_new_event)
from kube_util import ApiError, clone, invalid

_PATTERNS = {}
_ALWAYS_KEPT = {"apiVersion", "kind", "metadata"}
# The fields the last write on this thread pruned: the handler answers them as
# Warning headers, as kube-apiserver does when fieldValidation is Warn.
pruned = threading.local()


def _regex(pattern):
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled


# What the schema's "type" accepts: (Python types, whether a bool is refused).
_TYPE_CHECKS = {"object": (dict, False), "array": (list, False), "string": (str, False),
                "boolean": (bool, False), "integer": (int, True), "number": ((int, float), True)}


class _Plan:
    """What one schema node asks, read once per schema, with the plans of the
    nodes below it (the walks below ran a dozen dict lookups per node of every
    object written)."""

    __slots__ = ("schema", "type", "accepts", "refuses_bool", "nullable", "is_object",
                 "preserve", "properties", "additional", "additional_true", "items",
                 "has_scalar", "one_of", "not_", "required", "props", "list_map", "defaults",
                 "default_props", "default_items")

    def __init__(self, schema):
        self.schema = schema
        self.type = schema.get("type")
        self.accepts, self.refuses_bool = _TYPE_CHECKS.get(self.type, (None, False))
        self.nullable = bool(schema.get("nullable"))
        self.is_object = self.type == "object"
        self.preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        properties = schema.get("properties")
        # None, or {key: plan (None for a property whose schema is not an object)}
        self.properties = None if properties is None else {
            key: _plan_of(sub) for key, sub in properties.items()}
        additional = schema.get("additionalProperties")
        self.additional = _plan_of(additional)
        self.additional_true = additional is True
        self.items = _plan_of(schema.get("items"))
        self.has_scalar = any(k in schema for k in ("enum", "pattern", "maxLength", "minLength",
                                                    "minimum", "maximum"))
        self.one_of = [_plan_of(v) for v in schema.get("oneOf") or ()] or None
        self.not_ = _plan_of(schema.get("not"))
        self.required = tuple(schema.get("required") or ())
        self.props = tuple((self.properties or {}).items())
        self.list_map = schema.get("x-kubernetes-list-type") == "map"
        # Defaulting descends only where a default lies below.
        self.defaults = tuple((k, sub["default"]) for k, sub in (properties or {}).items()
                              if isinstance(sub, dict) and "default" in sub)
        self.default_props = tuple((k, self.properties[k]) for k, sub in (properties or {}).items()
                                   if isinstance(sub, dict) and _has_defaults(sub))
        self.default_items = self.items if _has_defaults(schema.get("items")) else None


def _plan_of(schema):
    return _Plan(schema) if isinstance(schema, dict) else None


_PLANS = {}  # id(schema) -> (schema, _Plan); the schema is kept so its id stays its own


def _plan(schema):
    """The plan of a root schema (None when it is not an object)."""
    entry = _PLANS.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    plan = _plan_of(schema)
    _PLANS[id(schema)] = (schema, plan)
    return plan


def _has_defaults(schema):
    """Whether a default lies in schema or below it (properties and items)."""
    if not isinstance(schema, dict):
        return False
    if any(isinstance(sub, dict) and ("default" in sub or _has_defaults(sub))
           for sub in (schema.get("properties") or {}).values()):
        return True
    return _has_defaults(schema.get("items"))


# "No earlier version": the walks below leave alone a part of an object equal
# to the same part of its earlier version (old) when that version was shaped
# and validated by the same schema; most often it is the very same part,
# shared by the new version (kube_store.Store.update).
_NONE = object()


def _same_json(a, b):
    """a == b with the JSON types compared too (Python has True == 1 == 1.0): what
    validation may skip must be the very value validated before."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and _same_json(v, b[k]) for k, v in a.items())
    if kind is list:
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b))
    return a == b


def prune(schema, value, path, removed, old=_NONE):
    """Drops fields the schema does not declare; records their paths in removed."""
    _prune(_plan(schema), value, path, removed, old)


def _prune(plan, value, path, removed, old):
    if plan is None or old is value or (old is not _NONE and old == value):
        return
    if isinstance(value, dict) and plan.is_object:
        if plan.preserve:
            return
        properties, additional = plan.properties, plan.additional
        prefix = path + "." if path else ""
        older = old if type(old) is dict else None
        for key in list(value):
            if not path and key in _ALWAYS_KEPT:
                continue
            if properties is not None and key in properties:
                _prune(properties[key], value[key], prefix + key, removed,
                       _NONE if older is None else older.get(key, _NONE))
            elif additional is not None:
                _prune(additional, value[key], prefix + key, removed,
                       _NONE if older is None else older.get(key, _NONE))
            elif plan.additional_true:
                continue
            else:
                removed.append(prefix + key)
                del value[key]
    elif isinstance(value, list) and plan.items is not None:
        older = old if type(old) is list else ()
        for i, item in enumerate(value):
            _prune(plan.items, item, "%s[%d]" % (path, i), removed,
                   older[i] if i < len(older) else _NONE)


def default(schema, value, old=_NONE):
    """Fills in the defaults of absent properties, depth first."""
    _default(_plan(schema), value, old)


def _default(plan, value, old):
    if plan is None or old is value or (old is not _NONE and old == value):
        return
    if isinstance(value, dict):
        for key, fallback in plan.defaults:
            if key not in value:
                value[key] = _copy(fallback)
        older = old if type(old) is dict else None
        for key, sub in plan.default_props:
            if key in value:
                _default(sub, value[key], _NONE if older is None else older.get(key, _NONE))
    elif isinstance(value, list) and plan.default_items is not None:
        older = old if type(old) is list else ()
        for i, item in enumerate(value):
            _default(plan.default_items, item, older[i] if i < len(older) else _NONE)


def _copy(value):
    return clone(value)


def _go_type(value):
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            int: "integer", float: "number"}.get(type(value), "null")


def validate(schema, value, path, errors, old=_NONE):
    """Appends (field, message) for every violation of schema by value."""
    _validate(_plan(schema), value, path, errors, old)


def _validate(plan, value, path, errors, old=_NONE):
    if plan is None or old is value or (old is not _NONE and old == value and
                                        _same_json(old, value)):
        return
    if value is None:
        if not plan.nullable:
            errors.append((path, "Invalid value: \"null\": %s in body must be of type %s: \"null\""
                           % (path, plan.type or "object")))
        return
    accepts = plan.accepts
    if accepts is not None and (not isinstance(value, accepts) or
                                (plan.refuses_bool and isinstance(value, bool))):
        errors.append((path, 'Invalid value: "%s": %s in body must be of type %s: "%s"'
                       % (_go_type(value), path, plan.type, _go_type(value))))
        return
    if plan.has_scalar:
        _validate_scalar(plan.schema, value, path, errors)
    if plan.one_of:
        matching = sum(1 for variant in plan.one_of if _plan_matches(variant, value, path))
        if matching != 1:
            errors.append((path, "Invalid value: %s: %s in body must validate one and only one "
                           "schema (oneOf)" % (_short(value), path)))
    if plan.not_ is not None and _plan_matches(plan.not_, value, path):
        errors.append((path, "Invalid value: %s: %s in body should not validate the schema"
                       % (_short(value), path)))
    if isinstance(value, dict):
        prefix = path + "." if path else ""
        for key in plan.required:
            if key not in value:
                errors.append((prefix + key, "Required value"))
        older = old if type(old) is dict else None
        for key, sub in plan.props:
            if key in value:
                _validate(sub, value[key], prefix + key, errors,
                          _NONE if older is None else older.get(key, _NONE))
    elif isinstance(value, list):
        if plan.items is not None:
            older = old if type(old) is list else ()
            for i, item in enumerate(value):
                _validate(plan.items, item, "%s[%d]" % (path, i), errors,
                          older[i] if i < len(older) else _NONE)
        if plan.list_map:
            _validate_list_map(plan.schema, value, path, errors)


def _plan_matches(plan, value, path):
    errors = []
    _validate(plan, value, path, errors)
    return not errors


def _validate_scalar(schema, value, path, errors):
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join('"%s"' % v if isinstance(v, str) else str(v).lower()
                              for v in schema["enum"])
        errors.append((path, 'Unsupported value: %s: supported values: %s'
                       % (_short(value), supported)))
    if isinstance(value, str):
        if "pattern" in schema and not _regex(schema["pattern"]).search(value):
            errors.append((path, "Invalid value: %s: %s in body should match '%s'"
                           % (_short(value), path, schema["pattern"])))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append((path, "Too long: may not be more than %d bytes" % schema["maxLength"]))
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append((path, "Invalid value: %s: %s in body should be at least %d chars long"
                           % (_short(value), path, schema["minLength"])))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and (value < low or (schema.get("exclusiveMinimum") and value == low)):
            relation = "greater than" if schema.get("exclusiveMinimum") else \
                "greater than or equal to"
            errors.append((path, "Invalid value: %s: %s in body should be %s %s"
                           % (_short(value), path, relation, low)))
        if high is not None and (value > high or (schema.get("exclusiveMaximum") and value == high)):
            errors.append((path, "Invalid value: %s: %s in body should be less than or equal to %s"
                           % (_short(value), path, high)))


def _validate_list_map(schema, value, path, errors):
    if schema.get("x-kubernetes-list-type") != "map":
        return
    keys = schema.get("x-kubernetes-list-map-keys") or []
    seen = set()
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        key = tuple(_short(item.get(k)) for k in keys)
        if key in seen:
            errors.append(("%s[%d]" % (path, i), "Duplicate value: %s" % _short(
                {k: item.get(k) for k in keys})))
        seen.add(key)


def _body_schema(rtype):
    """The root schema without metadata (checked apart), made once per schema."""
    cached = getattr(rtype, "_body_schema", None)
    if cached is not None and cached[0] is rtype.schema:
        return cached[1]
    schema = dict(rtype.schema)
    schema["properties"] = {k: v for k, v in (schema.get("properties") or {}).items()
                            if k != "metadata"}
    rtype._body_schema = (rtype.schema, schema)
    return schema


def make_validator():
    """validator(rtype, obj, old, strict, old_valid) for kube_store.Store: prunes,
    defaults and validates custom resources in place; raises ApiError 422. With
    old_valid (old passed this schema), the parts an update leaves unchanged
    (equal to old's at the same place) are not walked again: pruning and
    defaulting what they already shaped changes nothing, and validating it gives
    the same answer (kube-apiserver 1.30+ even ratchets unchanged fields). A
    status write then walks the status fields it changes."""

    def validator(rtype, obj, old, strict=False, old_valid=False):
        validate_metadata(rtype, obj)
        if rtype.group == "events.k8s.io" and old is None:
            validate_new_event(obj)
        if not rtype.crd:
            _validate_builtin_name(rtype, obj)
            return
        if not rtype.schema:
            return
        earlier = old if old_valid and old is not None else _NONE
        removed = []
        prune(rtype.schema, obj, "", removed, earlier)
        pruned.fields = removed
        if removed and strict:
            raise ApiError(400, "BadRequest", '%s in version "%s" cannot be handled as a %s: '
                           "strict decoding error: %s" % (rtype.kind, rtype.version, rtype.kind,
                                                          ", ".join('unknown field "%s"' % f
                                                                    for f in removed)))
        default(rtype.schema, obj, earlier)
        errors = []
        meta_schema = ((rtype.schema.get("properties") or {}).get("metadata") or {})
        name = obj.get("metadata", {}).get("name", "")
        name_schema = (meta_schema.get("properties") or {}).get("name")
        if name_schema:
            validate(name_schema, name, "metadata.name", errors)
        elif not _DNS_SUBDOMAIN.match(name) or len(name) > 253:
            errors.append(("metadata.name", "Invalid value: %s: a lowercase RFC 1123 subdomain "
                           "must consist of lower case alphanumeric characters, '-' or '.'"
                           % _short(name)))
        body = {k: v for k, v in obj.items() if k != "metadata"}
        validate(_body_schema(rtype), body, "", errors, earlier)
        if errors:
            raise invalid("%s.%s" % (rtype.kind, rtype.group), name, rtype.group, errors)

    return validator
