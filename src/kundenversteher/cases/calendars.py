"""Business-time arithmetic on a working calendar: opening hours, weekends, German holidays.

Pure functions on a frozen :class:`CalendarSpec` (built from a ``BusinessCalendar`` row by
``BusinessCalendar.spec()``), so the SLA maths is testable without a database. All inputs and
outputs are aware datetimes; the walk happens in the calendar's own time zone so a due time
across a DST change still lands on the right wall-clock hour.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext

# Ten years of searching for an open minute means the calendar has none (no opening hours).
_MAX_DAYS = 3660

Interval = tuple[time, time]


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    timezone: str = "Europe/Berlin"
    subdiv: str = ""  # Bundesland code for holidays.Germany, e.g. "BY"; "" = national only
    # Monday = 0 … Sunday = 6 → opening intervals (start < end, same day).
    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)
    closed_days: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_weekly_hours(
    raw: Mapping[str, Sequence[Sequence[str]]],
) -> dict[int, tuple[Interval, ...]]:
    """``{"0": [["08:00", "17:00"]], ...}`` → ``{0: ((time(8), time(17)),), ...}``; validates."""
    weekly: dict[int, tuple[Interval, ...]] = {}
    for key, intervals in raw.items():
        weekday = int(key)
        if not 0 <= weekday <= 6:
            raise ValueError(
                gettext("Wochentag %(weekday)s liegt nicht zwischen 0 und 6.") % {"weekday": key}
            )
        parsed: list[Interval] = []
        for pair in intervals:
            start, end = (time.fromisoformat(pair[0]), time.fromisoformat(pair[1]))
            if not start < end:
                raise ValueError(
                    gettext("Öffnungszeit %(start)s–%(end)s ist leer oder endet vor ihrem Beginn.")
                    % {"start": pair[0], "end": pair[1]}
                )
            parsed.append((start, end))
        weekly[weekday] = tuple(sorted(parsed))
    return weekly


@functools.lru_cache(maxsize=64)
def _holidays(subdiv: str, year: int) -> holidays.HolidayBase:
    table: holidays.HolidayBase = holidays.country_holidays("DE", subdiv=subdiv or None, years=year)
    return table


def is_holiday(spec: CalendarSpec, day: date) -> bool:
    return day in _holidays(spec.subdiv, day.year)


def is_closed_day(spec: CalendarSpec, day: date) -> bool:
    return day in spec.closed_days or is_holiday(spec, day) or not spec.weekly.get(day.weekday())


def open_intervals(spec: CalendarSpec, day: date) -> list[tuple[datetime, datetime]]:
    """The aware opening intervals of one calendar day (empty on closed days)."""
    if is_closed_day(spec, day):
        return []
    zone = spec.zone
    return [
        (datetime.combine(day, start, tzinfo=zone), datetime.combine(day, end, tzinfo=zone))
        for start, end in spec.weekly[day.weekday()]
    ]


def is_open_at(spec: CalendarSpec, at: datetime) -> bool:
    """Whether ``at`` falls inside an opening interval (working hours) of the calendar."""
    local = at.astimezone(spec.zone)
    return any(begin <= local < end for begin, end in open_intervals(spec, local.date()))


def _intervals_from(spec: CalendarSpec, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Opening intervals from ``start`` on, the first one clipped to begin at ``start``."""
    local_start = start.astimezone(spec.zone)
    day = local_start.date()
    for offset in range(_MAX_DAYS):
        for begin, end in open_intervals(spec, day + timedelta(days=offset)):
            if end <= local_start:
                continue
            yield max(begin, local_start), end
    raise ValueError(gettext("Der Kalender hat keine Öffnungszeiten."))


def add_business_seconds(spec: CalendarSpec, start: datetime, seconds: float) -> datetime:
    """The instant after ``seconds`` of opening time have passed from ``start``.

    ``seconds == 0`` returns ``start`` unchanged (not the next opening), so a zero shift is a
    no-op for callers that move due times.
    """
    if start.tzinfo is None:
        raise ValueError("aware datetime required")
    if seconds <= 0:
        return start
    remaining = timedelta(seconds=seconds)
    for begin, end in _intervals_from(spec, start):
        length = end - begin
        if remaining <= length:
            return (begin + remaining).astimezone(start.tzinfo)
        remaining -= length
    raise AssertionError("unreachable: _intervals_from raises when exhausted")  # pragma: no cover


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    return add_business_seconds(spec, start, minutes * 60)


def business_seconds_between(spec: CalendarSpec, start: datetime, end: datetime) -> int:
    """Opening time between two instants (0 if ``end`` is not after ``start``)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("aware datetime required")
    if end <= start:
        return 0
    total = timedelta()
    local_end = end.astimezone(spec.zone)
    for begin, stop in _intervals_from(spec, start):
        if begin >= local_end:
            break
        total += min(stop, local_end) - begin
    return int(total.total_seconds())
