"""Bounded input types for the API: a day outside Ninety's range is a 422, never a long loop.

``Day`` is a date from ``FIRST_DAY`` to ``LAST_DAY`` (2000-01-01 … 2100-12-31), written into the
OpenAPI schema as well, so clients and the schema tests know the range.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field

from ninety.core.periods import FIRST_DAY, LAST_DAY, OutOfRange, check_day

Day = Annotated[
    date,
    Field(description=f"a day from {FIRST_DAY} to {LAST_DAY}"),
    AfterValidator(check_day),
]

__all__ = ["FIRST_DAY", "LAST_DAY", "Day", "OutOfRange", "check_day"]
