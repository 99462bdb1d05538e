"""Where an inference server is: the server-source string, the plain-HTTP policy and loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlencode, urlsplit


def server_source(url: str, model: str = "", timeout: float = 30.0) -> str:
    """A server as one `source` string, "URL#model=NAME&timeout=S", as the editor's loader takes it."""
    return f"{url.rstrip('/')}#{urlencode({'model': model, 'timeout': timeout})}"


def parse_server_source(source: str) -> tuple[str, str | None, float]:
    """(URL, model or None, timeout) from a server_source string."""
    url, _, fragment = source.partition("#")
    options = {k: v[0] for k, v in parse_qs(fragment).items()}
    return url, options.get("model") or None, float(options.get("timeout") or 30.0)


def plain_http_warning(base_url: str) -> str | None:
    """A warning when base_url sends text unencrypted beyond this computer and its private network.

    Addresses that are not global (loopback, private, link-local, unique-local, the shared
    100.64.0.0/10 of carrier NAT and Tailscale) are fine, and so are host names
    that only mean something on a local network ("localhost", a name without dots,
    *.local, *.lan, *.internal, *.home.arpa); the name is not looked up.
    """
    parts = urlsplit(base_url)
    if parts.scheme.lower() != "http":
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        local = (host == "localhost" or "." not in host
                 or host.endswith((".localhost", ".local", ".lan", ".internal", ".home.arpa")))
    else:
        local = not address.is_global  # loopback, private, link-local, shared (CGNAT, Tailscale), reserved
    if local:
        return None
    return (f"The server {host} is reached over plain HTTP: your text leaves this computer unencrypted. "
            "Use an https:// address if the server offers one.")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost",) or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
