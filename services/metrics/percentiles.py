"""The one percentile rule of AgentWatch: nearest rank, in exact integer arithmetic.

pXX of n values sorted ascending is the value at 1-based rank ceil(XX/100 * n). The same formula
is evaluated in Python (`nearest_rank`) and in SQL (`nearest_rank_sql`, for ranks computed per
bucket inside the database), so the summary and the time series can never disagree.
"""

from fractions import Fraction
from typing import overload

import sqlalchemy as sa

PERCENTILES = (Fraction(50, 100), Fraction(95, 100), Fraction(99, 100))


@overload
def _ceil_times(fraction: Fraction, n: int) -> int: ...
@overload
def _ceil_times(fraction: Fraction, n: sa.ColumnElement[int]) -> sa.ColumnElement[int]: ...
def _ceil_times(fraction: Fraction, n: int | sa.ColumnElement[int]) -> int | sa.ColumnElement[int]:
    # ceil(a/b * n) == (a*n + b - 1) // b for non-negative integers: no float, no SQL ceil().
    return (fraction.numerator * n + fraction.denominator - 1) // fraction.denominator


def nearest_rank(fraction: Fraction, n: int) -> int:
    """1-based rank of the `fraction` percentile among `n` sorted values (n >= 1 gives >= 1)."""
    return max(1, _ceil_times(fraction, n))


def nearest_rank_sql(fraction: Fraction, n: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """`nearest_rank` as a SQL expression over a row count column (n >= 1 in every group)."""
    return _ceil_times(fraction, n)
