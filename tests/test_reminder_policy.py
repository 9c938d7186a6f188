"""The reminder policy's calendar: which local days a reminder is owed (pure rules)."""

from __future__ import annotations

from datetime import date

import pytest

from models.reminders import PolicyError, ReminderPolicy, next_monday, snooze_day

WED = date(2026, 12, 9)


def test_the_default_policy_reminds_before_on_and_after_the_due_date_then_stops() -> None:
    assert ReminderPolicy().reminder_days(WED) == [
        date(2026, 12, 7),  # two days before (a Monday)
        WED,
        date(2026, 12, 16),  # overdue: every 7 days...
        date(2026, 12, 23),
        date(2026, 12, 30),  # ...3 times, then nothing more
    ]


def test_a_reminder_that_falls_on_a_weekend_waits_for_monday_unless_told_otherwise() -> None:
    sunday = date(2026, 12, 13)
    policy = ReminderPolicy(days_before=1, overdue_times=0)
    assert policy.reminder_days(sunday) == [date(2026, 12, 14)]  # Saturday and Sunday: Monday
    every_day = ReminderPolicy(days_before=1, overdue_times=0, weekdays_only=False)
    assert every_day.reminder_days(sunday) == [date(2026, 12, 12), sunday]


def test_the_next_reminder_is_the_first_one_after_a_day() -> None:
    policy = ReminderPolicy()
    assert policy.next_reminder(WED, after=date(2026, 12, 1)) == date(2026, 12, 7)
    assert policy.next_reminder(WED, after=date(2026, 12, 7)) == WED
    assert policy.next_reminder(WED, after=date(2026, 12, 30)) is None
    assert policy.next_reminder(None, after=date(2026, 12, 1)) is None  # no due date


def test_snoozing_skips_the_weekend() -> None:
    friday = date(2026, 12, 11)
    assert snooze_day(friday, weekdays_only=True) == date(2026, 12, 14)
    assert snooze_day(friday, weekdays_only=False) == date(2026, 12, 12)
    assert next_monday(friday) == date(2026, 12, 14)
    assert next_monday(date(2026, 12, 14)) == date(2026, 12, 21)  # Monday: the next one


@pytest.mark.parametrize(
    ("change", "field"),
    [({"overdue_every": 0}, "overdue_every"), ({"hour": 23}, "hour"),
     ({"days_before": -1}, "days_before"), ({"overdue_times": 11}, "overdue_times")],
)  # fmt: skip
def test_a_policy_that_makes_no_sense_is_refused_naming_the_field(
    change: dict[str, int], field: str
) -> None:
    with pytest.raises(PolicyError) as refused:
        ReminderPolicy(**change)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_stored_policy_survives_a_round_trip_and_junk_falls_back_to_defaults() -> None:
    policy = ReminderPolicy(days_before=3, hour=8, weekdays_only=False)
    assert ReminderPolicy.from_settings({"reminders": policy.as_settings()}) == policy
    assert ReminderPolicy.from_settings({"reminders": {"hour": 99}}) == ReminderPolicy()
    assert ReminderPolicy.from_settings(None) == ReminderPolicy()


def test_a_digest_moment_keeps_its_wall_clock_hour_across_dst() -> None:
    from datetime import UTC, datetime

    from models.digest import digest_slot

    def monday_9_new_york(now: datetime) -> datetime:
        return digest_slot(now, weekday=0, hour=9, tz="America/New_York").at

    before = monday_9_new_york(datetime(2027, 3, 10, 12, tzinfo=UTC))  # EST week
    after = monday_9_new_york(datetime(2027, 3, 17, 12, tzinfo=UTC))  # EDT from Sun 14
    assert before == datetime(2027, 3, 8, 14, tzinfo=UTC)
    assert after == datetime(2027, 3, 15, 13, tzinfo=UTC)
    slot = digest_slot(datetime(2027, 3, 15, 13, 30, tzinfo=UTC), weekday=0, hour=9,
                       tz="America/New_York")  # fmt: skip
    assert slot.week == "2027-W11"
    assert slot.state(datetime(2027, 3, 15, 12, 59, tzinfo=UTC)) == "later"
    assert slot.state(datetime(2027, 3, 16, 13, 0, tzinfo=UTC)) == "due"  # a day late: still
    assert slot.state(datetime(2027, 3, 16, 13, 1, tzinfo=UTC)) == "missed"
