"""`DateTime` as Strawberry defines it, but refusing values whose UTC form overflows.

`0001-01-01T00:00:00+05:00` parses, then fails with "date value out of range" wherever it is
converted to UTC (filters, cursors, stored columns), which surfaced as an internal error. Here
such values, and values within a day of the representable range (so ±1 day arithmetic stays
safe), are a coercion error: BAD_USER_INPUT naming the variable.
"""

from datetime import datetime

from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from services.validation import representable


def parse_datetime(value: str) -> datetime:
    return representable(datetime.fromisoformat(value))


DateTimeDefinition = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=datetime.isoformat,
    parse_value=wrap_parser(parse_datetime, "DateTime", exceptions=(ValueError, OverflowError)),
    parse_literal=None,
    origin=datetime,
)
