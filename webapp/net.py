"""Who is asking and where the site lives: client addresses (forwarded headers only from configured proxies)
and absolute links (on PUBLIC_URL when set)."""

import ipaddress

from flask import current_app, request, url_for


def _trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address() -> str:
    """The real client IP: walk X-Forwarded-For from the right while hops are trusted proxies."""
    remote = request.remote_addr or "0.0.0.0"  # noqa: S104 - a placeholder, never bound
    networks = current_app.config.get("TRUSTED_PROXY_NETWORKS", [])
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else remote


def external_url(endpoint: str, **values) -> str:
    """An absolute link to mail or share: on PUBLIC_URL when it is set, else on the request's own host."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
