"""Helpers of the Kubernetes API double (kube_api_double.py): metav1 Status
errors, timestamps, label and field selectors, JSON merge / JSON patches and
the JSONPath subset of CRD printer columns. Stdlib only."""

import datetime
import json
import re


class ApiError(Exception):
    """An answer the API server gives as a metav1 Status."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def not_found(resource, name, group=""):
    qualified = resource + ("." + group if group else "")
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified, name),
                    {"name": name, "group": group, "kind": resource})


def already_exists(resource, name, group=""):
    qualified = resource + ("." + group if group else "")
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified, name),
                    {"name": name, "group": group, "kind": resource})


def conflict(resource, name, group=""):
    qualified = resource + ("." + group if group else "")
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    "please apply your changes to the latest version and try again" % (qualified, name),
                    {"name": name, "group": group, "kind": resource})


def invalid(kind, name, group, causes):
    """422 Invalid; causes: [(field, message)]."""
    text = ", ".join("%s: %s" % (f, m) if f else m for f, m in causes)
    if len(causes) > 1:
        text = "[" + text + "]"
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, text),
                    {"name": name, "group": group, "kind": kind,
                     "causes": [{"reason": "FieldValueInvalid", "message": m, "field": f}
                                for f, m in causes]})


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def gone(message="too old resource version"):
    return ApiError(410, "Expired", message)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_micro():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text):
    try:
        text = text.replace("Z", "+00:00")
        return datetime.datetime.fromisoformat(text)
    except (ValueError, AttributeError):
        return None


def human_duration(seconds_float):
    """apimachinery's duration.HumanDuration, as kubectl prints AGE."""
    seconds = int(seconds_float)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return "%dm" % minutes if s == 0 else "%dm%ds" % (minutes, s)
    if minutes < 180:
        return "%dm" % minutes
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return "%dh" % hours if m == 0 else "%dh%dm" % (hours, m)
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd" % (hours // 24) if h == 0 else "%dd%dh" % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return "%dy" % (hours // 24 // 365) if dy == 0 else "%dy%dd" % (hours // 24 // 365, dy)
    return "%dy" % (hours // 24 // 365)


def age_of(timestamp):
    t = parse_time(timestamp) if timestamp else None
    if t is None:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())


# ---- label selectors ------------------------------------------------------

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\)|(==|!=|=)\s*(\S*))?\s*$")


def _split_selector(text):
    """Splits on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


def parse_label_selector(text):
    """Returns a predicate over a labels dict; raises ApiError 400 when malformed."""
    if not text:
        return None
    requirements = []
    for part in _split_selector(text):
        m = _SET_RE.match(part)
        if not m:
            raise bad_request("unable to parse requirement: %r" % part)
        negated, key, set_op, set_values, op, value = m.groups()
        if negated and (set_op or op):
            raise bad_request("unable to parse requirement: %r" % part)
        if set_op:
            values = {v.strip() for v in set_values.split(",") if v.strip()}
            requirements.append((set_op, key, values))
        elif op:
            requirements.append(("!=" if op == "!=" else "=", key, value))
        else:
            requirements.append(("!" if negated else "exists", key, None))

    def matches(labels):
        labels = labels or {}
        for op, key, arg in requirements:
            present = key in labels
            if op == "=" and labels.get(key) != arg:
                return False
            if op == "!=" and present and labels[key] == arg:
                return False
            if op == "in" and labels.get(key) not in arg:
                return False
            if op == "notin" and present and labels[key] in arg:
                return False
            if op == "exists" and not present:
                return False
            if op == "!" and present:
                return False
        return True

    return matches


def lookup_path(obj, dotted):
    value = obj
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def parse_field_selector(text, supported):
    """Predicate over an object for `a.b=v,c!=w`; `supported(field)` says which
    fields may be selected (others get the API server's 400)."""
    if not text:
        return None
    requirements = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (text, part))
        field, op, value = m.groups()
        if not supported(field):
            raise bad_request('field label not supported: %s' % field)
        requirements.append((field, op == "!=", value))

    def matches(obj):
        for field, negate, value in requirements:
            actual = lookup_path(obj, field)
            actual = "" if actual is None else str(actual)
            if (actual == value) == negate:
                return False
        return True

    return matches


# ---- patches --------------------------------------------------------------

def clone(value):
    """A deep copy of a JSON value (dicts, lists, scalars): copy.deepcopy, which
    handles any object and cycles, is several times slower."""
    kind = type(value)
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    return value


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch; neither argument is changed. The result shares
    the parts the patch leaves alone with target, and the patch's values (a
    request's body, used once) with patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer_parts(pointer):
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise bad_request("invalid JSON pointer %r" % pointer)
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _resolve_parent(doc, parts):
    node = doc
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(part)
    return node


def _pointer_get(doc, pointer):
    node = doc
    for part in _pointer_parts(pointer):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _pointer_add(doc, pointer, value):
    parts = _pointer_parts(pointer)
    if not parts:
        return value
    parent = _resolve_parent(doc, parts)
    last = parts[-1]
    if isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            index = int(last)
            if index < 0 or index > len(parent):
                raise IndexError(last)
            parent.insert(index, value)
    else:
        parent[last] = value
    return doc


def _pointer_remove(doc, pointer):
    parts = _pointer_parts(pointer)
    parent = _resolve_parent(doc, parts)
    if isinstance(parent, list):
        return parent.pop(int(parts[-1]))
    return parent.pop(parts[-1])


def json_patch(doc, operations):
    """RFC 6902 JSON patch; a failing operation is the API server's 422."""
    if not isinstance(operations, list):
        raise bad_request("json patch must be an array of operations")
    doc = clone(doc)
    for op in operations:
        kind, path = op.get("op"), op.get("path", "")
        try:
            if kind == "add":
                doc = _pointer_add(doc, path, clone(op["value"]))
            elif kind == "remove":
                _pointer_remove(doc, path)
            elif kind == "replace":
                _pointer_get(doc, path)
                _pointer_remove(doc, path)
                doc = _pointer_add(doc, path, clone(op["value"]))
            elif kind == "move":
                value = _pointer_remove(doc, op["from"])
                doc = _pointer_add(doc, path, value)
            elif kind == "copy":
                doc = _pointer_add(doc, path, clone(_pointer_get(doc, op["from"])))
            elif kind == "test":
                if _pointer_get(doc, path) != op.get("value"):
                    raise ApiError(422, "Invalid", "the server rejected our request due to an error "
                                   "in our request: testing value %s failed" % path)
            else:
                raise bad_request("Unexpected kind: %s" % kind)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, "Invalid", "the server rejected our request due to an error in our "
                           "request: jsonpatch %s operation does not apply: doc is missing path: %s"
                           % (kind, path))
    return doc


# ---- JSONPath (the subset printer columns use) ----------------------------

_TOKEN_RE = re.compile(r"\.([A-Za-z0-9_-]+)|\[\*\]|\.\*|\[(-?\d+)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*(==|!=)\s*"
                       r"(\"[^\"]*\"|'[^']*'|[^)\s]+)\)\]|\['([^']+)'\]")


def compile_jsonpath(expression):
    """Compiles `.a.b[0].c[?(@.k=="v")].d`; returns a function giving the list of matches."""
    text = expression.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if text.startswith("$"):
        text = text[1:]
    steps, pos = [], 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError("unsupported JSONPath %r" % expression)
        field, index, filter_key, filter_op, filter_value, quoted = m.groups()
        if field is not None or quoted is not None:
            steps.append(("field", field if field is not None else quoted))
        elif index is not None:
            steps.append(("index", int(index)))
        elif filter_key is not None:
            steps.append(("filter", filter_key, filter_op, filter_value.strip("\"'")))
        else:
            steps.append(("all",))
        pos = m.end()

    def evaluate(obj):
        current = [obj]
        for step in steps:
            following = []
            for node in current:
                if step[0] == "field" and isinstance(node, dict) and step[1] in node:
                    following.append(node[step[1]])
                elif step[0] == "index" and isinstance(node, list) and -len(node) <= step[1] < len(node):
                    following.append(node[step[1]])
                elif step[0] == "all":
                    following.extend(node if isinstance(node, list) else
                                     node.values() if isinstance(node, dict) else [])
                elif step[0] == "filter" and isinstance(node, list):
                    for item in node:
                        actual = lookup_path(item, step[1])
                        if actual is None:
                            continue
                        same = (str(actual) if not isinstance(actual, bool)
                                else str(actual).lower()) == step[3]
                        if same == (step[2] == "=="):
                            following.append(item)
            current = following
        return current

    return evaluate


def jsonpath_text(value):
    """How client-go's jsonpath prints one value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
