"""Database addresses without their passwords.

Stage: extract. A PostgreSQL URL may carry a password (``postgresql://ann:s3cret@db/erp``) and so may
``PGPASSWORD``. Every message procopt prints about a database goes through :func:`mask_url` or
:func:`scrub`, so a password never reaches a terminal, a log file or a JSON summary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)")
_PASSWORD_PARAM = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s]*)", re.IGNORECASE)
MASK = "***"


def is_database_url(text: str) -> bool:
    """True for ``postgresql://``, ``postgres://`` and ``postgresql+psycopg://`` addresses."""
    return bool(re.match(r"^postgres(ql)?(\+psycopg\d?)?://", text.strip(), re.IGNORECASE))


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (in the user part and in a ``password=`` parameter)."""
    masked = _PASSWORD_IN_URL.sub(lambda m: m["head"] + MASK + m["tail"], url)
    return _PASSWORD_PARAM.sub(lambda m: m["head"] + MASK, masked)


def passwords_in(url: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Every password that could appear in a message about ``url``: its own and ``PGPASSWORD``."""
    env = os.environ if env is None else env
    found = [m["pw"] for m in _PASSWORD_IN_URL.finditer(url) if m["pw"]]
    found += [m["pw"] for m in _PASSWORD_PARAM.finditer(url) if m["pw"]]
    if env.get("PGPASSWORD"):
        found.append(env["PGPASSWORD"])
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***`` and every URL password masked."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return mask_url(text)
