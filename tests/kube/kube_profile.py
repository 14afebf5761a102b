"""Opt-in profiling of the Kubernetes API double, named by the environment
variable WSOP_KUBE_DOUBLE_PROFILE:

  cprofile:FILE  every connection's thread runs under cProfile (timed by the
                 thread's own CPU clock); the merged statistics go to FILE
                 (pstats format: `python3 -m pstats FILE`) when the double
                 stops. Exact call counts, but the profiler's own cost
                 inflates code that makes many small calls.
  phases:FILE    the CPU time (thread clock) and wall time spent in a few named steps of
                 every request (parsing, store writes, validation, answers,
                 watch streams), inclusive, written to FILE (JSON) when the
                 double stops. Cheap: two clock reads per step.
"""

import cProfile
import os
import pstats
import threading
import time

ENV = "WSOP_KUBE_DOUBLE_PROFILE"


class CProfiler:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.profiles = []

    def wrap(self, handler_class):
        """Makes handler_class.handle (one connection) run under a profile of its thread."""
        original = handler_class.handle
        profiler = self

        def handle(handler):
            profile = cProfile.Profile(time.thread_time)
            with profiler.lock:
                profiler.profiles.append(profile)
            profile.enable()
            try:
                original(handler)
            finally:
                profile.disable()

        handler_class.handle = handle

    def dump(self):
        with self.lock:
            profiles = list(self.profiles)
        merged = None
        for profile in profiles:
            try:
                stats = pstats.Stats(profile)
            except (TypeError, ValueError):  # a profile that never ran a function
                continue
            if merged is None:
                merged = stats
            else:
                merged.add(stats)
        if merged is not None:
            merged.dump_stats(self.path)


class Phases:
    """Inclusive CPU seconds per step; steps must not call themselves."""

    STEPS = [("kube_http", "Handler", "handle"), ("kube_wire", "LeanWire", "parse_request"),
             ("kube_http", "Handler", "_serve"), ("kube_wire", "LeanWire", "send_json"),
             ("kube_http", "Handler", "_body"), ("kube_bodies", None, "parse_body"),
             ("kube_store", "Store", "update"), ("kube_store", "Store", "create"),
             ("kube_store", "Store", "mutable_copy"), ("kube_store", "Store", "encoded"),
             ("kube_store", "Store", "_commit"), ("kube_schema", None, "validate_metadata"),
             ("kube_hooks", "Watches", "serve"),
             ("kube_hooks", "Stats", "count"), ("kube_hooks", "Faults", "decide")]

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.seconds, self.calls, self.wall = {}, {}, {}
        self.local = threading.local()

    def wrap(self, handler_class):
        import importlib
        for module_name, class_name, name in self.STEPS:
            module = importlib.import_module(module_name)
            owner = getattr(module, class_name) if class_name else module
            setattr(owner, name, self._timed("%s.%s" % (class_name or module_name, name),
                                             getattr(owner, name)))
        schema = importlib.import_module("kube_schema")
        make_validator = schema.make_validator
        schema.make_validator = lambda: self._timed("validator", make_validator())

    def _timed(self, label, function):
        phases = self

        def timed(*args, **kwargs):
            active = getattr(phases.local, "active", None)
            if active is None:
                active = phases.local.active = set()
            if label in active:  # a recursive call: counted by the outer one
                return function(*args, **kwargs)
            active.add(label)
            started, wall_started = time.thread_time(), time.monotonic()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                waited = time.monotonic() - wall_started
                active.discard(label)
                with phases.lock:
                    phases.seconds[label] = phases.seconds.get(label, 0.0) + spent
                    phases.wall[label] = phases.wall.get(label, 0.0) + waited
                    phases.calls[label] = phases.calls.get(label, 0) + 1

        return timed

    def dump(self):
        import json
        with self.lock:
            report = {label: {"cpu_s": round(seconds, 3), "calls": self.calls[label],
                              "us_per_call": round(1e6 * seconds / max(1, self.calls[label]), 1),
                              "wall_us_per_call": round(1e6 * self.wall[label]
                                                        / max(1, self.calls[label]), 1)}
                      for label, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])}
        with open(self.path, "w") as stream:
            json.dump(report, stream, indent=1)


def from_environment():
    spec = os.environ.get(ENV)
    if not spec:
        return None
    mode, _, path = spec.partition(":")
    if mode == "phases" and path:
        return Phases(path)
    if mode == "cprofile" and path:
        return CProfiler(path)
    raise SystemExit("%s: cprofile:FILE or phases:FILE" % ENV)
