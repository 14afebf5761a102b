"""Writes the kubeconfig that points kubectl and the C++ client at the
Kubernetes API double."""

import base64
import os

import yaml


def write_kubeconfig(path, url, token, ca_file):
    cluster = {"server": url}
    if ca_file:
        with open(ca_file, "rb") as stream:
            cluster["certificate-authority-data"] = base64.b64encode(stream.read()).decode()
    user = {"token": token} if token else {}
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kube-double", "cluster": cluster}],
        "users": [{"name": "kube-double-user", "user": user}],
        "contexts": [{"name": "kube-double",
                      "context": {"cluster": "kube-double", "user": "kube-double-user",
                                  "namespace": "default"}}],
        "current-context": "kube-double",
        "preferences": {},
    }
    temporary = path + ".tmp"
    with open(temporary, "w") as stream:
        yaml.safe_dump(config, stream, default_flow_style=False)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
