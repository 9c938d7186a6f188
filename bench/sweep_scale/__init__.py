"""One reminder sweep at scale, in process, on PostgreSQL: the planner, then the sending.

    .venv/bin/python -m bench.sweep_scale [--assignments 1000000] [--due 20000] [--database-url URL]
                                          [--plan-only]

Creates a database of its own (`--db-name`, default trainbot_sweep_bench) on the PostgreSQL
server of `--database-url`, migrates it (bot.db.upgrade) and seeds it with COPY: 2,000
resources, 50,000 members in seven timezones and 1,000,000 assignments, each with its sent
DM in the outbox. At the sweep moment (Wednesday 2 December 2026, 10:00 UTC) `--due`
(20,000) of them are owed a reminder, to people in Berlin, London, UTC, Tokyo and Kolkata
(1, 2 or 3 each, some a week late), and `--waiting` (8,000) are due today in New York and
Los Angeles, where it is not 09:00 yet. The rest are completed, cancelled, undated or
reminded later (over the next 60 days). The database is dropped at the end (`--keep-db`).

Then, in this process, with the app's own services on that database (a fixed clock at the
moment) and a FakeSlack stand-in answering at once (TRAINBOT_SEND_PER_MINUTE 100000, so
pacing is not what is timed), it measures:
- `services.reminders.plan()`: time, SQL statements (before_cursor_execute on the engine;
  an executemany counts once, its parameter sets are shown beside it), commits, pool
  checkouts, the process's memory (RSS, peak RSS); then the sweep a minute later (nothing
  new owed); then the very same sweep again (the due rows put back) under tracemalloc, for
  its peak, and EXPLAIN ANALYZE of its first and last page query;
- `bot.delivery.deliver_pending` for the owed reminders: time, statements and commits per
  message, messages per second, and the stand-in's own time per post;
- the floor: the same posts (each person's reminder as the stand-in recorded it) sent by a
  plain slack_sdk WebClient to the same stand-in, one after another, in the same run
  (`--floor-rounds` 3 times; the median round counts).
With `--plan-only` (for large sizes: 200,000 reminders would take tens of minutes to send)
the delivery and the floor are skipped; the outbox's reminder rows (the replay's) are then
checked instead: exactly one for each person due, none for anyone else.

Prints Markdown tables and writes bench/results/sweep_scale.json.
"""

# The docstring above is also what `--help` prints. The parts, in the order a run uses them:
#   seed.py      the data (bench/assign_scale's database and row helpers do the writing)
#   measure.py   a piece of work timed, its statements counted, memory around it
#   phases.py    the sweeps, the replay, EXPLAIN, the delivery and the floor
#   report.py    the Markdown tables, the JSON result and the exit status
#   __main__.py  options and the run itself
