"""Client address resolution that trusts forwarded headers only from configured proxies."""

import ipaddress

from flask import current_app, request


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
