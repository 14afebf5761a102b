"""The resource types of the Kubernetes API double: the built-in ones it
serves (namespaces, secrets, core and events.k8s.io events, leases,
customresourcedefinitions) and those made from CustomResourceDefinitions,
with their discovery entries, field selectors and Table columns."""

import hashlib

from kube_util import age_of, compile_jsonpath, jsonpath_text

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class Column:
    """One Table column: how the API server describes it and computes its cell."""

    def __init__(self, name, col_type, cell, fmt="", description="", priority=0):
        self.name, self.type, self.cell = name, col_type, cell
        self.format, self.description, self.priority = fmt, description, priority

    def definition(self):
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


def _name_column():
    return Column("Name", "string", lambda o: o["metadata"].get("name", ""), "name",
                  "Name must be unique within a namespace.")


def _age_column():
    return Column("Age", "string",
                  lambda o: age_of(o["metadata"].get("creationTimestamp")), "",
                  "CreationTimestamp is a timestamp representing the server time when this object "
                  "was created.")


class ResourceType:
    """A served resource (group/version/plural) and the rules it follows."""

    def __init__(self, group, version, plural, kind, namespaced, singular=None,
                 short_names=(), categories=(), has_status=False, storage=None,
                 columns=None, crd=False, schema=None, field_labels=()):
        self.group, self.version, self.plural, self.kind = group, version, plural, kind
        self.namespaced = namespaced
        self.singular = singular or kind.lower()
        self.short_names, self.categories = list(short_names), list(categories)
        self.has_status = has_status
        self.storage = storage or "%s/%s" % (group, plural)  # types sharing storage share objects
        self.columns = columns or [_name_column(), _age_column()]
        self.crd = crd  # a custom resource: whole items in lists, status dropped on create
        self.has_generation = crd  # metadata.generation counts spec changes
        self.schema = schema
        self.field_labels = {"metadata.name", "metadata.namespace"} | set(field_labels)
        # Conversion between the stored form and this type's form (events.k8s.io/v1).
        self.to_view = None
        self.from_view = None

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def group_resource(self):
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    def supports_field(self, field):
        return field in self.field_labels

    def discovery_entries(self):
        hash_input = "%s/%s/%s" % (self.group, self.version, self.kind)
        entry = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                 "kind": self.kind, "verbs": ALL_VERBS,
                 "storageVersionHash": hashlib.sha256(hash_input.encode()).hexdigest()[:12]}
        if self.short_names:
            entry["shortNames"] = self.short_names
        if self.categories:
            entry["categories"] = self.categories
        entries = [entry]
        if self.has_status:
            entries.append({"name": self.plural + "/status", "singularName": "",
                            "namespaced": self.namespaced, "kind": self.kind,
                            "verbs": ["get", "patch", "update"]})
        return entries


# ---- core/v1 Event <-> events.k8s.io/v1 Event ------------------------------

# (core v1 field, events.k8s.io/v1 field); the other fields share their names.
_EVENT_RENAMES = [("involvedObject", "regarding"), ("message", "note"),
                  ("reportingComponent", "reportingController"), ("source", "deprecatedSource"),
                  ("firstTimestamp", "deprecatedFirstTimestamp"),
                  ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount")]
_EVENT_SHARED = ["metadata", "reason", "type", "eventTime", "series", "action", "related",
                 "reportingInstance"]


def core_event_to_events_v1(core):
    out = {"kind": "Event", "apiVersion": "events.k8s.io/v1"}
    for name in _EVENT_SHARED:
        if core.get(name) not in (None, "", {}):
            out[name] = core[name]
    for core_name, v1_name in _EVENT_RENAMES:
        if core.get(core_name) not in (None, "", {}, 0):
            out[v1_name] = core[core_name]
    return out


def events_v1_to_core_event(event):
    out = {"kind": "Event", "apiVersion": "v1"}
    for name in _EVENT_SHARED:
        if event.get(name) not in (None, "", {}):
            out[name] = event[name]
    for core_name, v1_name in _EVENT_RENAMES:
        if event.get(v1_name) not in (None, "", {}, 0):
            out[core_name] = event[v1_name]
    return out


def _event_object(o):
    ref = o.get("involvedObject") or {}
    return "%s/%s" % ((ref.get("kind") or "").lower(), ref.get("name", ""))


def _event_last_seen(o):
    return age_of(o.get("lastTimestamp") or o.get("eventTime") or
                  o["metadata"].get("creationTimestamp"))


def builtin_types():
    """The built-in resources, as kube-apiserver 1.32 serves them."""
    ns = ResourceType("", "v1", "namespaces", "Namespace", False, short_names=["ns"],
                      has_status=True, field_labels=["status.phase"],
                      columns=[_name_column(),
                               Column("Status", "string",
                                      lambda o: (o.get("status") or {}).get("phase", "")),
                               _age_column()])
    secrets = ResourceType("", "v1", "secrets", "Secret", True, field_labels=["type"],
                           columns=[_name_column(),
                                    Column("Type", "string", lambda o: o.get("type", "")),
                                    Column("Data", "string", lambda o: len(o.get("data") or {})),
                                    _age_column()])
    configmaps = ResourceType("", "v1", "configmaps", "ConfigMap", True, short_names=["cm"],
                              columns=[_name_column(),
                                       Column("Data", "string",
                                              lambda o: len(o.get("data") or {})),
                                       _age_column()])
    event_labels = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                    "involvedObject.uid", "involvedObject.apiVersion",
                    "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                    "reportingComponent", "type"]
    core_events = ResourceType(
        "", "v1", "events", "Event", True, short_names=["ev"], storage="events",
        field_labels=event_labels,
        columns=[Column("Last Seen", "string", _event_last_seen),
                 Column("Type", "string", lambda o: o.get("type", "")),
                 Column("Reason", "string", lambda o: o.get("reason", "")),
                 Column("Object", "string", _event_object),
                 Column("Message", "string", lambda o: o.get("message", ""))])
    v1_events = ResourceType(
        "events.k8s.io", "v1", "events", "Event", True, short_names=["ev"], storage="events",
        field_labels=["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                      "regarding.apiVersion", "reason", "reportingController", "type"])
    v1_events.to_view = core_event_to_events_v1
    v1_events.from_view = events_v1_to_core_event
    leases = ResourceType("coordination.k8s.io", "v1", "leases", "Lease", True,
                          columns=[_name_column(),
                                   Column("Holder", "string",
                                          lambda o: (o.get("spec") or {}).get("holderIdentity", "")),
                                   _age_column()])
    crds = ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                        "CustomResourceDefinition", False, short_names=["crd", "crds"],
                        has_status=True, categories=["api-extensions"],
                        columns=[_name_column(),
                                 Column("Created At", "date",
                                        lambda o: o["metadata"].get("creationTimestamp"))])
    crds.has_generation = True
    return [ns, secrets, configmaps, core_events, v1_events, leases, crds]


def _printer_column(spec):
    evaluate = compile_jsonpath(spec["jsonPath"])
    col_type = spec.get("type", "string")

    def cell(obj):
        # As the CRD table convertor: the first match, printed for strings,
        # converted for the other types, an age for dates, null when absent.
        results = evaluate(obj)
        if not results:
            return None
        value = results[0]
        if value is None:
            return None
        if col_type == "string":
            return jsonpath_text(value)
        if col_type == "date":
            return age_of(value) if isinstance(value, str) else None
        if col_type == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
        if col_type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if col_type == "boolean" and isinstance(value, bool):
            return value
        return None

    description = spec.get("description") or (
        "Custom resource definition column (in JSONPath format): %s" % spec["jsonPath"])
    return Column(spec["name"], col_type, cell, spec.get("format", ""), description,
                  spec.get("priority", 0))


def types_from_crd(crd):
    """The served versions of one CustomResourceDefinition object."""
    spec = crd["spec"]
    names = spec["names"]
    result = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        printer = version.get("additionalPrinterColumns")
        if printer is None:
            printer = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
        columns = [Column("Name", "string", lambda o: o["metadata"].get("name", ""), "name",
                          "Name must be unique within a namespace.")]
        columns += [_printer_column(c) for c in printer]
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        rtype = ResourceType(spec["group"], version["name"], names["plural"], names["kind"],
                             spec.get("scope", "Namespaced") == "Namespaced",
                             singular=names.get("singular"), short_names=names.get("shortNames", []),
                             categories=names.get("categories", []),
                             has_status="status" in (version.get("subresources") or {}),
                             columns=columns, crd=True, schema=schema)
        result.append(rtype)
    return result


def crd_status(crd):
    """What kube-apiserver writes in a CRD's status once it serves it."""
    names = dict(crd["spec"]["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    condition_time = crd["metadata"].get("creationTimestamp")
    return {"acceptedNames": names,
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": condition_time},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted",
                 "lastTransitionTime": condition_time}],
            "storedVersions": [v["name"] for v in crd["spec"].get("versions", [])
                               if v.get("storage")]}
