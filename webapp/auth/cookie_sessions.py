"""Flask's signed-cookie sessions, with each worker remembering the cookies whose signature it has checked.

A signed cookie carries the same content until it changes, so its signature and payload need checking once per
worker, not on every request: a browser that signs in sends the same cookie until something writes to it.
"""

import copy
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from webapp.caching import WorkerCopies

MAX_ENTRIES = 1024


class VerifiedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # Per app: a cookie signed with one app's key must never open a session in another.
        self._verified = WorkerCopies(MAX_ENTRIES)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        held = self._verified.get(value)
        if held is not None and time.time() < held[0]:
            return self.session_class(copy.deepcopy(held[1]))  # each request may change its own copy
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # no secret key: Flask's own answer (a null session)
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._verified.put(value, (signed_at.timestamp() + max_age, data))
        return self.session_class(copy.deepcopy(data))
