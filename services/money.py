"""Money is `Decimal` in Python and integer picodollars (1e-12 USD) in the database.

Integers sum exactly in SQL on SQLite and PostgreSQL alike; a picodollar is far below any
price's precision (the cheapest catalog prices are a few hundredths of a dollar per million
tokens, i.e. tens of thousands of picodollars per token), so nothing is rounded away.
"""

from decimal import ROUND_HALF_EVEN, Decimal

PICOS_PER_USD = 10**12
MILLION = Decimal(1_000_000)
# The largest amount accepted anywhere (a reported cost, a budget, a price): 1e18 picodollars
# fit the BIGINT columns (max ~9.2e18) with room to spare; 9.3e6 USD used to overflow them.
MAX_USD = Decimal(1_000_000)


def to_picos(usd: Decimal) -> int:
    return int((usd * PICOS_PER_USD).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_picos(picos: int | Decimal | None) -> Decimal | None:
    return None if picos is None else Decimal(int(picos)).scaleb(-12).normalize()


def known_usd(total: Decimal, priced: int, unpriced: int) -> Decimal | None:
    """The one rule for totals: a sum whose items are all unpriced is unknown (None), never a
    silent $0; a partly priced sum is the priced part (callers show the unpriced count)."""
    if priced == 0 and unpriced > 0:
        return None
    return total


def usd_input(value: float, field: str) -> Decimal:
    """A USD amount given as a GraphQL Float, as an exact Decimal of what the user typed."""
    from services.errors import BadUserInput

    amount = Decimal(repr(value))
    if not amount.is_finite() or amount < 0 or amount > MAX_USD:
        raise BadUserInput(f"{field} must be between 0 and {MAX_USD:,} USD", field=field)
    return amount
