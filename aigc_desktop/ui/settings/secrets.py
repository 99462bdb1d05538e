"""API keys for inference servers: in the system keyring where there is one, never in QSettings.

Without a keyring (the `keyring` package or a backend for it) a key is kept for this run only.
"""

from __future__ import annotations

SERVICE = "aigc-desktop"
_session: dict[str, str] = {}  # fallback: remembered until the app quits


def _keyring():
    try:
        import keyring  # pyright: ignore[reportMissingImports]  (optional: the system keyring)
        from keyring.backends import fail  # pyright: ignore[reportMissingImports]

        if isinstance(keyring.get_keyring(), fail.Keyring):
            return None
        return keyring
    except Exception:  # noqa: BLE001 - no keyring, or a broken one: never fatal
        return None


def keyring_available() -> bool:
    return _keyring() is not None


def store_api_key(server: str, key: str) -> bool:
    """Remember the key for this server; True when it went to the system keyring."""
    ring = _keyring()
    if not key:
        _session.pop(server, None)
        if ring is not None:
            try:
                ring.delete_password(SERVICE, server)
            except Exception:  # noqa: BLE001 - nothing stored is fine
                pass
        return ring is not None
    _session[server] = key
    if ring is None:
        return False
    try:
        ring.set_password(SERVICE, server, key)
        return True
    except Exception:  # noqa: BLE001
        return False


def load_api_key(server: str) -> str | None:
    if server in _session:
        return _session[server]
    ring = _keyring()
    if ring is None:
        return None
    try:
        return ring.get_password(SERVICE, server)
    except Exception:  # noqa: BLE001
        return None
