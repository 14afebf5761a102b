"""The watch side of the Kubernetes API double's store (kube_store.Store
inherits it): opening a watch at a resourceVersion, waiting for the events
after it, what a watch with selectors sees (selector transitions become
ADDED / DELETED), the objects as they were at an earlier resourceVersion
(a continued list's pages), and the hooks that drop every watch or compact
the history."""

import time

from kube_util import bad_request, gone


class WatchEvent:
    __slots__ = ("rv", "storage", "type", "obj", "prev")

    def __init__(self, rv, storage, event_type, obj, prev):
        self.rv, self.storage, self.type, self.obj, self.prev = rv, storage, event_type, obj, prev


class Watch:
    """One open watch: what it selects and the resourceVersion it has reached."""

    def __init__(self, rtype, namespace, matches, pos, generation):
        self.rtype, self.namespace, self.matches = rtype, namespace, matches
        self.pos, self.generation = pos, generation


class WatchLog:
    """Needs from its subclass: cond, storage_cond(storage), rv, events, events_base,
    drop_generation, open_watches, open_watches_by_resource, bucket(rtype),
    view(rtype, obj), _storage_conds."""

    def open_watch(self, rtype, namespace, matches, resource_version, send_initial=False):
        """A Watch and the synthetic ADDED objects it starts with (none when resuming)."""
        with self.cond:
            if send_initial or resource_version in (None, "", "0"):
                initial = [o for k, o in sorted(self.bucket(rtype).items())
                           if not namespace or k[0] == namespace]
                initial = [o for o in initial if matches is None or matches(self.view(rtype, o))]
                pos = self.rv
            else:
                try:
                    pos = int(resource_version)
                except ValueError:
                    raise bad_request("invalid resource version: %s" % resource_version)
                if pos < self.events_base - 1:
                    raise gone("too old resource version: %d (%d)" % (pos, self.events_base - 1))
                initial = []
            self.open_watches += 1
            by_resource = self.open_watches_by_resource
            by_resource[rtype.plural] = by_resource.get(rtype.plural, 0) + 1
            return Watch(rtype, namespace, matches, pos, self.drop_generation), initial

    def close_watch(self, watch):
        with self.cond:
            self.open_watches -= 1
            self.open_watches_by_resource[watch.rtype.plural] -= 1

    def next_events(self, watch, timeout):
        """Waits up to timeout for events after watch.pos. Returns a list of (type, view),
        "gone" when the history no longer reaches back, or "dropped"."""
        deadline = time.monotonic() + timeout
        with self.cond:
            woken_by = self.storage_cond(watch.rtype.storage)
            while self.rv <= watch.pos and watch.generation == self.drop_generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                woken_by.wait(remaining)
            if watch.generation != self.drop_generation:
                return "dropped"
            if watch.pos < self.events_base - 1:
                return "gone"
            pending = self.events[max(0, watch.pos + 1 - self.events_base):]
            watch.pos = max(watch.pos, self.rv)
        return self._visible(watch, pending)

    def _visible(self, watch, pending):
        rtype, result = watch.rtype, []
        for event in pending:
            if event.storage != rtype.storage:
                continue
            if watch.namespace and event.obj["metadata"].get("namespace") != watch.namespace:
                continue
            obj = self.view(rtype, event.obj)
            now_matches = watch.matches is None or watch.matches(obj)
            if event.prev is None or watch.matches is None:
                if now_matches:
                    result.append((event.type, obj))
                continue
            was_matching = watch.matches(self.view(rtype, event.prev))
            if event.type == "DELETED":
                if now_matches or was_matching:
                    result.append(("DELETED", obj))
            elif now_matches:
                result.append((event.type if was_matching else "ADDED", obj))
            elif was_matching:
                result.append(("DELETED", obj))
        return result

    def _bucket_at(self, rtype, bucket, rv):
        """The objects of `bucket` as they were at `rv` (the lock held): a later page of a
        paginated list is served from the first page's snapshot, as etcd serves it, so a
        list never holds objects newer than the resourceVersion it reports (an informer
        that then watches from there would see them go back in time)."""
        past = dict(bucket)
        for event in reversed(self.events[max(0, rv + 1 - self.events_base):]):
            if event.storage != rtype.storage:
                continue
            meta = event.obj["metadata"]
            key = (meta.get("namespace", "") if rtype.namespaced else "", meta["name"])
            if event.type == "ADDED":
                past.pop(key, None)
            else:  # MODIFIED, or DELETED (its prev, else the object as deleted)
                past[key] = event.prev if event.prev is not None else event.obj
        return past

    # ---- test hooks -----------------------------------------------------

    def drop_watches(self):
        with self.cond:
            self.drop_generation += 1
            for cond in self._storage_conds.values():
                cond.notify_all()

    def compact(self):
        with self.cond:
            self.events = []
            self.events_base = self.rv + 1
            return self.rv
