"""The HTTP/1.1 wire of the Kubernetes API double's handler (kube_http.Handler):
request lines and headers parsed without the standard library's email
package, and JSON answers written in one write. Both cost the double more
CPU than its API work when they went through http.server's generic code."""

import time
from email.utils import formatdate
from http import HTTPStatus

from kube_store import dumps


class Headers(dict):
    """A request's headers by lower-case name (the first of repeated ones). The
    standard library parses them with the email package, which cost the double
    more CPU than its API work; get() is case-insensitive as email.Message's."""

    __slots__ = ()

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name):
        return dict.get(self, name.lower())

    def __contains__(self, name):
        return dict.__contains__(self, name.lower())


_MAX_HEADERS = 100
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_date_cache = [0, b""]


def _date_header():
    """The Date header's value, formatted once a second."""
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0], _date_cache[1] = now, formatdate(now, usegmt=True).encode()
    return _date_cache[1]


class LeanWire:
    """Mixed into a BaseHTTPRequestHandler: parse_request and send_json."""

    def parse_request(self):
        """The request line and headers (BaseHTTPRequestHandler.parse_request without
        the email parser): HTTP/1.x only; keep-alive as the standard library decides
        it (HTTP/1.1 unless "Connection: close"; HTTP/1.0 with "keep-alive")."""
        self.command = None
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if len(words) != 3:
            self.request_version = "HTTP/1.1"  # answered with a status line, as Go's server does
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request syntax (%r)" % requestline)
            return False
        command, path, version = words
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = version if version.startswith("HTTP/") else "HTTP/1.0"
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                            "Invalid HTTP version (%s)" % version)
            return False
        if path.startswith("//"):
            path = "/" + path.lstrip("/")  # as the standard library: not a network path
        self.command, self.path, self.request_version = command, path, version
        headers = Headers()
        for _ in range(_MAX_HEADERS + 1):
            line = self.rfile.readline(65537)
            if len(line) > 65536:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, sep, value = line.decode("iso-8859-1").partition(":")
            if not sep:
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad header line (%r)" % line)
                return False
            headers.setdefault(name.strip().lower(), value.strip())
        else:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
            return False
        self.headers = headers
        connection = dict.get(headers, "connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif version == "HTTP/1.1" or connection == "keep-alive":
            self.close_connection = False
        if dict.get(headers, "expect", "").lower() == "100-continue":
            self.send_response_only(HTTPStatus.CONTINUE)
            self.end_headers()
        return True

    def send_json(self, code, body, headers=None):
        """One write: the status line, headers and body (the standard library's
        send_response/send_header cost more than the API work)."""
        data = body if isinstance(body, bytes) else dumps(body)
        if self.server.options.verbose:
            self.log_request(code)
        head = [b"%s %d %s\r\nServer: wsop-kube-double\r\nDate: %s\r\n"
                b"Content-Type: application/json\r\nCache-Control: no-cache, private\r\n"
                b"Content-Length: %d\r\n" % (self.protocol_version.encode(), code,
                                               _PHRASES.get(code, "").encode(), _date_header(),
                                               len(data))]
        for name, value in (headers or {}).items():
            for one in (value if isinstance(value, list) else [value]):
                head.append(("%s: %s\r\n" % (name, one)).encode("latin-1", "strict"))
        head.append(b"\r\n")
        head.append(data)
        self.wfile.write(b"".join(head))
