"""A small keep-alive HTTPS client with a cookie jar: signs in like a browser and walks the API like a script."""

import http.client
import json
import re
import ssl
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
CSRF_HEADER = re.compile(r'"X-CSRFToken":\s*"([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, base_url: str, context: ssl.SSLContext | None = None) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host, self.port, self.secure = parts.hostname, parts.port, parts.scheme == "https"
        self.context = context
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.secure:
                self._connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)
            else:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self._connection

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=headers)
                raw = connection.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        for line in raw.headers.get_all("Set-Cookie") or []:
            self._remember(line)
        return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, payload)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def _remember(self, line: str) -> None:
        cookie = SimpleCookie()
        cookie.load(line)
        for name, morsel in cookie.items():
            if morsel.value == "" or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def sign_in(self, email: str, password: str) -> None:
        """Fill the sign-in form as a browser does (CSRF token, Referer); raises when no session results."""
        form = self.get("/login")
        match = CSRF_FIELD.search(form.body.decode())
        if form.status != 200 or not match:
            raise RuntimeError(f"GET /login answered {form.status} without a CSRF token")
        fields = {"email": email, "password": password, "csrf_token": match.group(1) or match.group(2)}
        answer = self.request(
            "POST",
            "/login",
            body=urllib.parse.urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base_url + "/login",
                "Origin": self.base_url,
            },
        )
        if answer.status not in (302, 303):
            raise RuntimeError(f"Signing in answered {answer.status}: {answer.body[:500]!r}")

    def csrf_token(self, path: str = "/") -> str:
        """The X-CSRFToken that a page hands htmx in the `hx-headers` of its <body>."""
        page = self.get(path)
        match = CSRF_HEADER.search(page.body.decode())
        if page.status != 200 or not match:
            raise RuntimeError(f"GET {path} answered {page.status} without an X-CSRFToken for htmx")
        return match.group(1)

    def create_token(self, name: str = "bench", scope: str = "read") -> str:
        """A personal token through POST /api/v1/tokens, as a signed-in user's page script would ask for one."""
        answer = self.request(
            "POST",
            "/api/v1/tokens",
            body=json.dumps({"name": name, "scope": scope}).encode(),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.csrf_token("/"),
                "Referer": self.base_url + "/",
                "Origin": self.base_url,
            },
        )
        if answer.status != 201:
            raise RuntimeError(f"Creating a token answered {answer.status}: {answer.body[:500]!r}")
        return answer.json()["token"]
