"""Size checks and truncation of the JSON payloads (inputs and outputs) stored with runs."""

from typing import Any

import orjson

from services.errors import BadUserInput


def json_size(value: Any) -> int:
    """Bytes of `value` serialised as compact JSON; non-JSON values are BAD_USER_INPUT."""
    try:
        return len(orjson.dumps(value))
    except TypeError as exc:
        raise BadUserInput(f"value is not JSON-serialisable: {exc}") from exc


def ensure_within(value: Any, limit: int, what: str) -> None:
    size = json_size(value)
    if size > limit:
        raise BadUserInput(f"{what} is {size} bytes; the limit is {limit}", limit=limit)


def to_storable(value: Any, limit: int) -> Any:
    """Return `value` if its JSON fits in `limit` bytes, else a marked, cut-down preview.

    The preview is `{"_truncated": true, "originalBytes": n, "preview": "<first bytes>"}` so a
    reader always sees that something was cut and how much there was.
    """
    try:
        encoded = orjson.dumps(value, default=str)
    except TypeError:
        encoded = orjson.dumps(repr(value))
    if len(encoded) <= limit:
        return orjson.loads(encoded)
    preview = encoded[: max(0, limit - 100)].decode("utf-8", errors="ignore")
    return {"_truncated": True, "originalBytes": len(encoded), "preview": preview}
