"""Where an inference server is: the server-source string, the plain-HTTP policy and loopback."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import parse_qs, urlencode, urlsplit

from ..text.options import SERVER_TIMEOUT


def server_source(url: str, model: str = "", timeout: float = SERVER_TIMEOUT.default) -> str:
    """A server as one `source` string, "URL#model=NAME&timeout=S", as the editor's loader takes it."""
    return f"{url.rstrip('/')}#{urlencode({'model': model, 'timeout': timeout})}"


def parse_server_source(source: str) -> tuple[str, str | None, float]:
    """(URL, model or None, timeout) from a server_source string."""
    url, _, fragment = source.partition("#")
    options = {k: v[0] for k, v in parse_qs(fragment).items()}
    return url, options.get("model") or None, float(options.get("timeout") or SERVER_TIMEOUT.default)


def plain_http_warning(base_url: str) -> str | None:
    """A warning when base_url sends text unencrypted beyond this computer and its private network.

    The host is decided by the address it stands for, however it is spelt (134744072,
    0x08080808 and 010.010.010.010 are all 8.8.8.8, as the system's resolver reads them):
    addresses that are not global (loopback, private, link-local, unique-local, the shared
    100.64.0.0/10 of carrier NAT and Tailscale) are fine. So are host names that only
    mean something on a local network ("localhost", a name without dots, *.local, *.lan,
    *.internal, *.home.arpa); names are not looked up.
    """
    parts = urlsplit(base_url)
    if parts.scheme.lower() != "http":
        return None
    host = _host(parts.hostname)
    address = numeric_address(host)
    if address is None:
        local = (host == "localhost" or "." not in host
                 or host.endswith((".localhost", ".local", ".lan", ".internal", ".home.arpa")))
    else:
        local = not address.is_global  # loopback, private, link-local, shared (CGNAT, Tailscale), reserved
    if local:
        return None
    return (f"The server {host} is reached over plain HTTP: your text leaves this computer unencrypted. "
            "Use an https:// address if the server offers one.")


def is_loopback(host: str) -> bool:
    host = _host(host)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = numeric_address(host)
    return address is not None and address.is_loopback


def numeric_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a numeric host stands for, in any spelling the resolver accepts; None for a name.

    Resolved without the network (AI_NUMERICHOST). An IPv4 address written as IPv6
    (::ffff:8.8.8.8) counts as the IPv4 address.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
            address = ipaddress.ip_address(str(infos[0][4][0]).partition("%")[0])
        except (OSError, UnicodeError, ValueError, IndexError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _host(hostname: str | None) -> str:
    return (hostname or "").lower().rstrip(".")
