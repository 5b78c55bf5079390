"""Working days for the simulator, read from the same seed the warehouse uses (one calendar, as data)."""

from __future__ import annotations

import csv
import datetime as dt
from bisect import bisect_left
from functools import cached_property
from pathlib import Path

from warehouse.config import DBT_PROJECT_DIR

CALENDAR_SEED = DBT_PROJECT_DIR / "seeds" / "ref_calendar_exceptions.csv"


class WorkCalendar:
    """Monday–Friday minus the seed's days off, plus its make-up Saturdays."""

    def __init__(self, exceptions: dict[dt.date, bool], first: dt.date, last: dt.date):
        self.exceptions = exceptions
        self.first, self.last = first, last

    @classmethod
    def load(cls, path: Path = CALENDAR_SEED) -> WorkCalendar:
        with open(path, encoding="utf-8") as handle:
            rows = {
                dt.date.fromisoformat(r["calendar_date"]): r["is_working_day"] == "true" for r in csv.DictReader(handle)
            }
        return cls(rows, dt.date(min(rows).year, 1, 1), dt.date(max(rows).year, 12, 31))

    def is_working_day(self, day: dt.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    @cached_property
    def _working_days(self) -> list[dt.date]:
        days, day = [], self.first
        while day <= self.last:
            if self.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def next_working_day(self, day: dt.date, include_today: bool = True) -> dt.date:
        days = self._working_days
        index = bisect_left(days, day if include_today else day + dt.timedelta(days=1))
        if index >= len(days):
            raise ValueError(f"{day} is past the calendar's last year ({self.last.year}); extend the seed")
        return days[index]

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day `count` working days after `day` (which is rolled forward to a working day)."""
        days = self._working_days
        index = bisect_left(days, day) + count
        if index >= len(days):
            raise ValueError(f"{day} + {count} working days is past the calendar ({self.last.year})")
        return days[index]

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        days = self._working_days
        return bisect_left(days, end + dt.timedelta(days=1)) - bisect_left(days, start + dt.timedelta(days=1))
