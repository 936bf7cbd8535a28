from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kundenversteher.cases.calendars import (
    CalendarSpec,
    add_business_minutes,
    business_seconds_between,
    parse_weekly_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = parse_weekly_hours({str(d): [["08:00", "17:00"]] for d in range(5)})
BAVARIA = CalendarSpec(subdiv="BY", weekly=WEEKDAYS)
BERLIN_STATE = CalendarSpec(subdiv="BE", weekly=WEEKDAYS)


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def test_due_time_skips_a_bavarian_public_holiday():
    # Wed 3 June 16:00 + 4 h: 1 h on Wednesday, Thursday 4 June is Fronleichnam in Bavaria.
    assert add_business_minutes(BAVARIA, at(3, 16), 240) == at(5, 11)


def test_the_same_due_time_in_berlin_ignores_the_bavarian_holiday():
    assert add_business_minutes(BERLIN_STATE, at(3, 16), 240) == at(4, 11)


def test_due_time_skips_the_weekend():
    # Fri 5 June 16:30 + 4 h: 30 min on Friday, 3.5 h on Monday 8 June.
    assert add_business_minutes(BAVARIA, at(5, 16, 30), 240) == at(8, 11, 30)


def test_a_case_arriving_at_night_starts_counting_at_opening():
    assert add_business_minutes(BAVARIA, at(8, 2), 60) == at(8, 9)


def test_split_opening_hours_and_extra_closed_days_are_respected():
    spec = CalendarSpec(
        subdiv="BY",
        weekly=parse_weekly_hours(
            {"0": [["13:00", "17:00"], ["08:00", "12:00"]], "1": [["08:00", "12:00"]]}
        ),
        closed_days=frozenset({date(2026, 6, 9)}),
    )
    # Mon 8 June 11:00 + 3 h: 1 h until 12:00, 2 h from 13:00; Tuesday closed, so next Monday.
    assert add_business_minutes(spec, at(8, 11), 180) == at(8, 15)
    assert add_business_minutes(spec, at(8, 16), 120) == at(15, 9)


def test_business_seconds_between_counts_only_opening_time():
    # Fri 5 June 16:00 → Tue 9 June 10:00: 1 h Friday + 9 h Monday + 2 h Tuesday.
    assert business_seconds_between(BAVARIA, at(5, 16), at(9, 10)) == 12 * 3600
    assert business_seconds_between(BAVARIA, at(9, 10), at(5, 16)) == 0


def test_due_time_across_the_dst_change_keeps_wall_clock_hours():
    # Fri 27 March 2026 16:00 + 2 h; clocks go forward on Sunday 29 March.
    assert add_business_minutes(BAVARIA, at(27, 16, month=3), 120) == at(30, 9, month=3)
    assert (
        add_business_minutes(BAVARIA, at(27, 16, month=3), 120).utcoffset().total_seconds() == 7200
    )


def test_invalid_opening_hours_are_rejected():
    with pytest.raises(
        ValueError, match=r"^Öffnungszeit 17:00–08:00 ist leer oder endet vor ihrem Beginn\.$"
    ):
        parse_weekly_hours({"0": [["17:00", "08:00"]]})
    with pytest.raises(ValueError, match=r"^Wochentag 7 liegt nicht zwischen 0 und 6\.$"):
        parse_weekly_hours({"7": [["08:00", "17:00"]]})


def test_a_calendar_without_opening_hours_fails_loudly():
    with pytest.raises(ValueError, match="keine Öffnungszeiten"):
        add_business_minutes(CalendarSpec(weekly={}), at(8, 9), 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(BAVARIA, datetime(2026, 6, 8, 9), 1)  # noqa: DTZ001
