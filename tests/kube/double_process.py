"""Starts the Kubernetes API double (kube_api_double.py) as a subprocess for
the Python tests beside it: a free port, a kubeconfig, optionally HTTPS with
a throw-away certificate made by the openssl command and bearer tokens."""

import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class DoubleProcess:
    def __init__(self, scratch, tls=False, tokens=(), crds=None, extra_args=()):
        self.scratch, self.tls, self.tokens = scratch, tls, list(tokens)
        self.crds, self.extra_args = crds, list(extra_args)
        self.kubeconfig = os.path.join(scratch, "kubeconfig")
        self.port_file = os.path.join(scratch, "port")
        self.log_path = os.path.join(scratch, "double.log")
        self.proc = None
        self.port = None

    def _certificate(self):
        cert, key = os.path.join(self.scratch, "cert.pem"), os.path.join(self.scratch, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        return cert, key

    def start(self):
        args = [sys.executable, os.path.join(HERE, "kube_api_double.py"), "--port", "0",
                "--port-file", self.port_file, "--kubeconfig-out", self.kubeconfig,
                "--exit-with-parent"]
        if self.crds:
            args += ["--crds", self.crds]
        for token in self.tokens:
            args += ["--token", token]
        if self.tls:
            cert, key = self._certificate()
            args += ["--tls-cert", cert, "--tls-key", key]
        args += self.extra_args
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the double exited: " + self.log())
            if os.path.exists(self.port_file):
                with open(self.port_file) as stream:
                    self.port = int(stream.read())
                return self
            time.sleep(0.02)
        raise RuntimeError("the double did not listen within 30 s")

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        try:
            with open(self.log_path) as stream:
                return stream.read()
        except OSError:
            return ""
