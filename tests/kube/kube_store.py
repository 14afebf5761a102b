"""The object store of the Kubernetes API double: one global resourceVersion
counter, the objects of every storage, the event history watches resume from,
and the write rules of kube-apiserver (create, update, status subresource,
generation, finalizers and deletionTimestamp, namespaces). One lock guards it;
watchers wait on a condition of that lock per storage, so a write wakes only
the watches of its own resource."""

import base64
import json
import random
import threading
import uuid

from kube_watchlog import WatchEvent, WatchLog
from kube_util import (ApiError, already_exists, bad_request, conflict, gone, invalid, not_found,
                       now_rfc3339)

_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's SimpleNameGenerator alphabet


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def _key(namespace, name):
    return (namespace or "", name)


class Store(WatchLog):
    def __init__(self, history=10000, auto_create_namespaces=False, validator=None):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self._storage_conds = {}  # storage -> Condition(self.lock) its watches wait on
        self.rv = 1
        self.objects = {}  # storage -> {(namespace, name): stored object}
        self.ns_counts = {}  # namespace -> number of namespaced objects in it
        self.events = []  # WatchEvent, rv from events_base up to self.rv
        self.events_base = 2
        self.history = max(1, history)
        self.drop_generation = 0
        self.auto_create_namespaces = auto_create_namespaces
        self.validator = validator  # validator(rtype, obj, old) raises ApiError; may default
        self.on_crd_change = None  # called (under the lock) with (crd, deleted)
        self.open_watches = 0
        self.open_watches_by_resource = {}
        self._encoded = {}  # (storage, namespace, name) -> (stored object, its JSON)
        # (storage, namespace, name) -> the openAPIV3Schema the stored custom resource
        # was validated with: an update under the same schema walks only the parts
        # it changes (see kube_schema.make_validator) and shares the others.
        self._validated_with = {}

    # ---- reading --------------------------------------------------------

    def bucket(self, rtype):
        return self.objects.setdefault(rtype.storage, {})

    def get(self, rtype, namespace, name):
        with self.cond:
            obj = self.bucket(rtype).get(_key(namespace, name))
        if obj is None:
            raise not_found(rtype.plural, name, rtype.group)
        return obj

    def list(self, rtype, namespace, matches, limit=0, continue_token=None):
        """(objects, resourceVersion, continue, remainingItemCount) in key order."""
        start, list_rv = None, None
        if continue_token:
            try:
                token = json.loads(base64.b64decode(continue_token))
                start, list_rv = tuple(token["start"]), int(token["rv"])
            except (ValueError, KeyError, TypeError):
                raise bad_request("continue key is not valid: %s" % continue_token)
        with self.cond:
            if list_rv is not None and list_rv < self.events_base - 1:
                raise gone("The provided continue parameter is too old to display a consistent "
                           "list result. You can start a new list without the continue parameter.")
            bucket = self.bucket(rtype)
            current_rv = self.rv
            if list_rv is not None and list_rv < current_rv:
                bucket = self._bucket_at(rtype, bucket, list_rv)
            keys = sorted(bucket)
            candidates = [bucket[k] for k in keys
                          if (not namespace or k[0] == namespace) and (start is None or k > start)]
        items = [o for o in candidates if matches is None or matches(self.view(rtype, o))]
        next_token, remaining = None, None
        if limit and len(items) > limit:
            remaining = len(items) - limit
            items = items[:limit]
            last = items[-1]["metadata"]
            token = {"rv": list_rv or current_rv,
                     "start": [last.get("namespace", ""), last["name"]]}
            next_token = base64.b64encode(json.dumps(token).encode()).decode()
        return items, str(list_rv or current_rv), next_token, remaining

    def encoded(self, rtype, obj):
        """The JSON of a stored object, encoded once per version (lists of 10,000)."""
        meta = obj["metadata"]
        key = (rtype.storage, meta.get("namespace", ""), meta["name"])
        entry = self._encoded.get(key)
        if entry is not None and entry[0] is obj:
            return entry[1]
        data = dumps(obj)
        if self.objects.get(rtype.storage, {}).get(key[1:]) is obj:  # not a dry run's
            self._encoded[key] = (obj, data)
        return data

    def storage_cond(self, storage):
        """The condition the watches of storage wait on (the store's lock held)."""
        cond = self._storage_conds.get(storage)
        if cond is None:
            cond = self._storage_conds[storage] = threading.Condition(self.lock)
        return cond

    @staticmethod
    def view(rtype, obj):
        return rtype.to_view(obj) if rtype.to_view else obj

    def mutable_copy(self, rtype, obj):
        """A deep copy of a stored object in rtype's form, to change: parsed from its
        cached JSON (copy.deepcopy costs several times more). Stored objects are
        never changed in place, so watches and the JSON cache can share them."""
        return self.view(rtype, json.loads(self.encoded(rtype, obj)))

    # ---- writing --------------------------------------------------------

    def _commit(self, rtype, key, obj, event_type, prev):
        """Stores obj (None: removes key) under a new resourceVersion; returns the stored object."""
        self.rv += 1
        bucket = self.bucket(rtype)
        obj = dict(obj)
        obj["metadata"] = dict(obj["metadata"], resourceVersion=str(self.rv))
        if event_type == "DELETED":
            del bucket[key]
            self._encoded.pop((rtype.storage,) + key, None)
            self._validated_with.pop((rtype.storage,) + key, None)
            if key[0]:
                self.ns_counts[key[0]] = self.ns_counts.get(key[0], 1) - 1
        else:
            if key not in bucket and key[0]:
                self.ns_counts[key[0]] = self.ns_counts.get(key[0], 0) + 1
            bucket[key] = obj
            if rtype.crd:
                self._validated_with[(rtype.storage,) + key] = rtype.schema
        self.events.append(WatchEvent(self.rv, rtype.storage, event_type, obj, prev))
        if len(self.events) > 2 * self.history:
            drop = len(self.events) - self.history
            del self.events[:drop]
            self.events_base += drop
        if rtype.group == "apiextensions.k8s.io" and self.on_crd_change:
            deleted = event_type == "DELETED"
            self.on_crd_change(obj, deleted)
            if deleted:  # its custom resources go with it (without events, unlike a cluster)
                spec = obj["spec"]
                self.objects.pop("%s/%s" % (spec["group"], spec["names"]["plural"]), None)
        if event_type == "DELETED" and key[0]:
            self._maybe_finish_namespace(key[0])
        waiting = self._storage_conds.get(rtype.storage)
        if waiting is not None:
            waiting.notify_all()
        return obj

    def _check_namespace(self, rtype, namespace):
        if not rtype.namespaced:
            return
        ns_bucket = self.objects.setdefault("/namespaces", {})
        ns = ns_bucket.get(_key("", namespace))
        if ns is None:
            if not self.auto_create_namespaces:
                raise not_found("namespaces", namespace)
            self._commit(self.namespace_type, _key("", namespace),
                         self._new_namespace({"metadata": {"name": namespace}}), "ADDED", None)
        elif ns["metadata"].get("deletionTimestamp"):
            raise ApiError(403, "Forbidden",
                           '%s "%s" is forbidden: unable to create new content in namespace %s '
                           "because it is being terminated" % (rtype.plural, "", namespace))

    def _new_namespace(self, obj):
        name = obj["metadata"]["name"]
        obj.setdefault("spec", {})["finalizers"] = ["kubernetes"]
        obj["status"] = {"phase": "Active"}
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        obj["metadata"].setdefault("uid", str(uuid.uuid4()))
        obj["metadata"].setdefault("creationTimestamp", now_rfc3339())
        obj.update(kind="Namespace", apiVersion="v1")
        return obj

    def create(self, rtype, namespace, obj, dry_run=False, strict=False):
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if rtype.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if meta.get("resourceVersion"):
            raise ApiError(500, "InternalError", "resourceVersion should not be set on objects "
                           "to be created")
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise invalid(rtype.kind, "", rtype.group,
                              [("metadata.name", "Required value: name or generateName is required")])
            meta["name"] = meta["generateName"] + "".join(random.choice(_GENERATE_CHARS)
                                                          for _ in range(5))
        obj = self._stored_form(rtype, obj)
        meta = obj["metadata"]
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
            meta.pop(field, None)
        if rtype.has_generation:
            meta["generation"] = 1
        if rtype.crd and rtype.has_status:
            obj.pop("status", None)
        if rtype.plural == "namespaces" and not rtype.group:
            obj = self._new_namespace(obj)
        if self.validator:
            self.validator(rtype, obj, None, strict)
        with self.cond:
            key = _key(meta.get("namespace"), meta["name"])
            if key in self.bucket(rtype):
                raise already_exists(rtype.plural, meta["name"], rtype.group)
            self._check_namespace(rtype, key[0])
            if rtype.group == "apiextensions.k8s.io":
                obj["status"] = self.crd_status(obj)
            if dry_run:
                return obj
            return self._commit(rtype, key, obj, "ADDED", None)

    def _stored_form(self, rtype, obj):
        if rtype.crd and not obj.get("kind"):
            # Custom resources are decoded as unstructured objects, which need their kind;
            # built-in types take it from the URL.
            raise bad_request("Object 'Kind' is missing in '%s'" % json.dumps(
                obj, separators=(",", ":"))[:200])
        if obj.get("apiVersion") not in (None, rtype.api_version) or \
                obj.get("kind") not in (None, rtype.kind):
            raise bad_request("the API version in the data (%s) does not match the expected API "
                              "version (%s)" % (obj.get("apiVersion"), rtype.api_version))
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind
        if rtype.kind == "Secret" and not obj.get("type"):
            obj["type"] = "Opaque"
        if rtype.kind == "Secret" and "stringData" in obj:  # stored as base64 data
            data = dict(obj.get("data") or {})  # a patch's result may share it with the stored
            for key, value in (obj.pop("stringData") or {}).items():
                data[key] = base64.b64encode(str(value).encode()).decode()
            obj["data"] = data
        return rtype.from_view(obj) if rtype.from_view else obj

    def update(self, rtype, namespace, name, obj, subresource=None, dry_run=False, mutate=None,
               strict=False):
        """PUT (obj given) or PATCH (mutate(current view) -> new view), under one lock.

        The new object shares what did not change with the stored one (the patches
        copy what they change; the metadata is copied), so nothing below may change
        a part it did not make, with one exception kept safe: the schema's pruning
        and defaulting, which change nothing of an object they already shaped with
        the same schema; a custom resource last written under another schema is
        deep-copied first."""
        with self.cond:
            key = _key(namespace if rtype.namespaced else "", name)
            old = self.bucket(rtype).get(key)
            if old is None:
                raise not_found(rtype.plural, name, rtype.group)
            same_schema = rtype.crd and rtype.schema is not None and \
                self._validated_with.get((rtype.storage,) + key) is rtype.schema
            shareable = same_schema or not rtype.crd
            if mutate is not None:
                obj = mutate(self.view(rtype, old) if shareable else self.mutable_copy(rtype, old))
            if not isinstance(obj, dict) or not isinstance(obj.get("metadata", {}), dict):
                raise bad_request("the body must be a JSON object")
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise bad_request("the name of the object (%s) does not match the name on the URL "
                                  "(%s)" % (meta.get("name"), name))
            given_rv = meta.get("resourceVersion")
            if given_rv and given_rv != old["metadata"]["resourceVersion"]:
                raise conflict(rtype.plural, name, rtype.group)
            if not given_rv and rtype.crd and mutate is None:
                raise invalid(rtype.kind, name, rtype.group,
                              [("metadata.resourceVersion",
                                "Invalid value: 0x0: must be specified for an update")])
            new = self._updated(rtype, old, self._stored_form(rtype, obj), subresource, shareable)
            if self.validator:
                self.validator(rtype, new, old, strict, old_valid=same_schema)
            if self._same(new, old):
                return old
            if dry_run:
                return new
            if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
                return self._commit(rtype, key, new, "DELETED", old)
            return self._commit(rtype, key, new, "MODIFIED", old)

    def _updated(self, rtype, old, incoming, subresource, shareable):
        """The object an update of `old` with `incoming` stores, before resourceVersion."""
        if subresource == "status":
            if shareable:
                new = dict(old)
                new["metadata"] = dict(old["metadata"])
            else:
                new = json.loads(self.encoded(rtype, old))
            if "status" in incoming:
                new["status"] = incoming["status"]
            else:
                new.pop("status", None)
            return new
        new = incoming
        new["metadata"] = meta = dict(new["metadata"])  # may be the stored object's
        old_meta = old["metadata"]
        if meta.get("uid") and meta["uid"] != old_meta["uid"]:
            raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in "
                           "object meta: %s" % (meta["uid"], old_meta["uid"]))
        for field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generation", "namespace"):
            if field in old_meta:
                meta[field] = old_meta[field]
            else:
                meta.pop(field, None)
        meta["resourceVersion"] = old_meta["resourceVersion"]
        meta.pop("managedFields", None)
        if old_meta.get("deletionTimestamp"):
            added = set(meta.get("finalizers") or []) - set(old_meta.get("finalizers") or [])
            if added:
                raise invalid(rtype.kind, meta["name"], rtype.group,
                              [("metadata.finalizers",
                                "Forbidden: no new finalizers can be added if the object is being "
                                "deleted, found new finalizers %s" % json.dumps(sorted(added)))])
        if rtype.has_status:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        if rtype.has_generation:
            ignored = {"metadata", "status"} if rtype.has_status else {"metadata"}
            spec_new = {k: v for k, v in new.items() if k not in ignored}
            spec_old = {k: v for k, v in old.items() if k not in ignored}
            if spec_new != spec_old:
                meta["generation"] = old_meta.get("generation", 1) + 1
        return new

    @staticmethod
    def _same(new, old):
        return new == old

    def delete(self, rtype, namespace, name, preconditions=None, dry_run=False):
        with self.cond:
            key = _key(namespace if rtype.namespaced else "", name)
            old = self.bucket(rtype).get(key)
            if old is None:
                raise not_found(rtype.plural, name, rtype.group)
            preconditions = preconditions or {}
            if preconditions.get("uid") and preconditions["uid"] != old["metadata"]["uid"]:
                raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: %s, UID "
                               "in object meta: %s" % (preconditions["uid"], old["metadata"]["uid"]))
            if preconditions.get("resourceVersion") and \
                    preconditions["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", "Precondition failed: ResourceVersion in "
                               "precondition: %s, ResourceVersion in object meta: %s"
                               % (preconditions["resourceVersion"], old["metadata"]["resourceVersion"]))
            if rtype.plural == "namespaces" and not rtype.group:
                return self._delete_namespace(rtype, key, old, dry_run)
            finalizers = old["metadata"].get("finalizers")
            if not finalizers:
                return old if dry_run else self._commit(rtype, key, old, "DELETED", None)
            if old["metadata"].get("deletionTimestamp"):
                return old
            new = json.loads(self.encoded(rtype, old))
            new["metadata"]["deletionTimestamp"] = now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            if rtype.has_generation:
                new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            return new if dry_run else self._commit(rtype, key, new, "MODIFIED", old)

    def _delete_namespace(self, rtype, key, old, dry_run):
        """A namespace is Terminating while it holds objects: each is deleted (finalizers
        honoured) and the namespace goes when the last one has gone."""
        if dry_run or old["metadata"].get("deletionTimestamp"):
            return old
        new = json.loads(self.encoded(rtype, old))
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["status"] = {"phase": "Terminating"}
        stored = self._commit(rtype, key, new, "MODIFIED", old)
        namespace = key[1]
        for storage, bucket in list(self.objects.items()):
            owner = self.storage_types.get(storage)
            for obj_key in [k for k in bucket if k[0] == namespace]:
                if owner is not None:
                    self.delete(owner, namespace, obj_key[1])
        if not self.ns_counts.get(namespace):
            current = self.objects["/namespaces"].get(key)
            if current is not None:
                return self._commit(rtype, key, current, "DELETED", None)
        return stored

    def _maybe_finish_namespace(self, namespace):
        ns = self.objects.get("/namespaces", {}).get(("", namespace))
        if ns is not None and ns["metadata"].get("deletionTimestamp") and \
                not self.ns_counts.get(namespace):
            self._commit(self.namespace_type, ("", namespace), ns, "DELETED", None)
