"""Opaque keyset cursors: (timestamp, key) encoded as URL-safe base64."""

import base64
import binascii
from datetime import datetime

from services.errors import BadUserInput
from services.validation import representable


def encode_cursor(at: datetime, key: str) -> str:
    raw = f"{at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, key = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        parsed = representable(datetime.fromisoformat(at))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadUserInput("`after` is not a cursor returned by this API") from exc
    if parsed.tzinfo is None:
        raise BadUserInput("`after` is not a cursor returned by this API")
    return parsed, key
