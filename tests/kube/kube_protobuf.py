"""Decodes the protobuf request bodies kubectl's typed commands send
(`kubectl create namespace`, `kubectl create secret`, `kubectl create
configmap`) into the JSON objects the double stores. Only those kinds, and in
them only the fields such commands set; anything else is 415 as before.
The envelope is kube-apiserver's: the bytes "k8s\\0", then a runtime.Unknown
{typeMeta {apiVersion, kind}, raw} whose raw is the object's message."""

import base64

MAGIC = b"k8s\x00"


def _varint(data, pos):
    result, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data):
    """{field number: [values]}; length-delimited values as bytes, varints as ints."""
    result, pos = {}, 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        result.setdefault(number, []).append(value)
    return result


def _text(values):
    return values[-1].decode() if values else None


def _map(values, decode_value):
    out = {}
    for entry in values or []:
        parts = fields(entry)
        out[_text(parts.get(1)) or ""] = decode_value(parts.get(2, [b""])[-1])
    return out


def _object_meta(data):
    parts = fields(data)
    meta = {}
    for number, name in ((1, "name"), (2, "generateName"), (3, "namespace"),
                         (6, "resourceVersion")):
        if parts.get(number):
            meta[name] = _text(parts[number])
    if parts.get(11):
        meta["labels"] = _map(parts[11], bytes.decode)
    if parts.get(12):
        meta["annotations"] = _map(parts[12], bytes.decode)
    if parts.get(14):
        meta["finalizers"] = [v.decode() for v in parts[14]]
    return meta


def _namespace(parts):
    obj = {}
    if parts.get(2):
        spec = fields(parts[2][-1])
        if spec.get(1):
            obj["spec"] = {"finalizers": [v.decode() for v in spec[1]]}
    return obj


def _secret(parts):
    obj = {}
    if parts.get(2):
        obj["data"] = _map(parts[2], lambda b: base64.b64encode(b).decode())
    if parts.get(3):
        obj["type"] = _text(parts[3])
    if parts.get(4):
        obj["stringData"] = _map(parts[4], bytes.decode)
    if parts.get(5):
        obj["immutable"] = bool(parts[5][-1])
    return obj


def _config_map(parts):
    obj = {}
    if parts.get(2):
        obj["data"] = _map(parts[2], bytes.decode)
    if parts.get(3):
        obj["binaryData"] = _map(parts[3], lambda b: base64.b64encode(b).decode())
    if parts.get(4):
        obj["immutable"] = bool(parts[4][-1])
    return obj


_KINDS = {("v1", "Namespace"): _namespace, ("v1", "Secret"): _secret,
          ("v1", "ConfigMap"): _config_map}


def decode(body):
    """The JSON object of a protobuf body, or None when it is not one this knows."""
    if not body.startswith(MAGIC):
        return None
    try:
        unknown = fields(body[len(MAGIC):])
        type_meta = fields(unknown.get(1, [b""])[-1])
        api_version, kind = _text(type_meta.get(1)) or "", _text(type_meta.get(2)) or ""
        decoder = _KINDS.get((api_version, kind))
        if decoder is None:
            return None
        parts = fields(unknown.get(2, [b""])[-1])
        obj = {"apiVersion": api_version, "kind": kind,
               "metadata": _object_meta(parts[1][-1]) if parts.get(1) else {}}
        obj.update(decoder(parts))
        return obj
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
