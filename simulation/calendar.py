"""Model time: steps of a week or a calendar month, with real dates.

Step k (k ≥ 1) covers the days [boundary[k-1], boundary[k]); its row in the output tables is
dated ``boundary[k] - 1 day`` — the state of the world at the end of that day. Step 0 is the
initial state, dated ``start``. Events dated inside a step's days fire in that step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAYS_PER_YEAR = 365.25


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (day of month clipped to the month's length)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    end: dt.date
    unit: str = "month"

    @property
    def step_years(self) -> float:
        """The length of a typical step in years (a month: 1/12; a week: 7 / 365.25)."""
        return 1.0 / 12.0 if self.unit == "month" else 7.0 / 365.25

    def boundaries(self, until: dt.date | None = None) -> list[dt.date]:
        """Step boundaries from ``start`` to the first boundary after ``min(end, until)``."""
        last = min(self.end, until) if until else self.end
        out = [self.start]
        while out[-1] <= last:
            k = len(out)
            out.append(add_months(self.start, k) if self.unit == "month"
                       else self.start + dt.timedelta(weeks=k))
        return out

    def dates(self, until: dt.date | None = None) -> list[dt.date]:
        """The date of each output row: start, then the last day of each step."""
        b = self.boundaries(until)
        return [b[0]] + [d - dt.timedelta(days=1) for d in b[1:]]

    def step_of(self, day: dt.date, until: dt.date | None = None) -> int:
        """The step (≥ 1) whose days contain ``day``."""
        b = self.boundaries(until)
        return int(np.searchsorted(np.array(b[1:], dtype="datetime64[D]"), np.datetime64(day), side="right")) + 1

    def years(self, until: dt.date | None = None) -> np.ndarray:
        """Length of each step in years (index 0 unused, 0.0)."""
        b = self.boundaries(until)
        return np.array([0.0] + [(b2 - b1).days / DAYS_PER_YEAR for b1, b2 in zip(b, b[1:])])


def overlap_days(a0: dt.date, a1: dt.date, b0: dt.date, b1: dt.date) -> int:
    """Days shared by the half-open intervals [a0, a1) and [b0, b1)."""
    return max(0, (min(a1, b1) - max(a0, b0)).days)
