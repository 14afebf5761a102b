"""Opt-in profiling of the Kubernetes API double, named by the environment
variable WSOP_KUBE_DOUBLE_PROFILE:

  cprofile:FILE  every connection's thread runs under cProfile (timed by the
                 thread's own CPU clock); the merged statistics go to FILE
                 (pstats format: `python3 -m pstats FILE`) when the double
                 stops. Exact call counts, but the profiler's own cost
                 inflates code that makes many small calls.
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


def from_environment():
    spec = os.environ.get(ENV)
    if not spec:
        return None
    mode, _, path = spec.partition(":")
    if mode == "cprofile" and path:
        return CProfiler(path)
    raise SystemExit("%s: cprofile:FILE" % ENV)
