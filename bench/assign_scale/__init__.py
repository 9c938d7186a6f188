"""/assign at scale: acks next to a bare Bolt app, on PostgreSQL with a big workspace.

    .venv/bin/python -m bench.assign_scale [--n 200] [--database-url URL] [--time-limit 600]

Creates a database of its own (`--db-name`, default trainbot_bench) on the PostgreSQL
server of `--database-url`, migrates it (bot.db.upgrade), imports the starter catalog and
seeds it with COPY: 10,000 resources, 2,000 members and 200,000 assignments (with their
events and sent DMs in the outbox). The database is dropped at the end (`--keep-db`).

Then, like bench/ack_latency.py (whose machinery this reuses), it starts `trainbot serve`
and bare apps (bench/bare_apps.py) on gunicorn, plays Slack with signed requests against
a FakeSlack in this process, and times the ack of, one at a time:
- `command`: `/assign @someone pro git` (the modal, with the person and Pro Git filled in);
- `typeahead`: block_suggestion on the modal's resource select, as a manager types;
- `submission`: view_submission of the modal, assigning a resource nobody has yet to
  `--people` (3) people; Trainbot gets a fresh modal (/assign, not timed) before each;
- `complete`: the "Mark complete" button on one of the DMs those submissions sent
  (block_actions with the message container, as Slack sends it).
The bare apps get the very bytes Trainbot got (re-signed) and only ack. For Trainbot it
also times the effect: views.open answered; every DM and the confirmation posted; the
DM updated and Home published.

Statements per interaction: the servers run in subprocesses, so the same requests are
then sent to an in-process app (bot.app.build_app + bot.web.make_wsgi_app, as
tests/conftest.py builds it) on the same database, with a before_cursor_execute listener
on its engine; statements on the request thread are "in the ack", those on the
after-ack executor's threads "after the ack".

Prints Markdown tables and writes bench/results/assign_scale.json.
"""

# The docstring above is also what `--help` prints (see __main__), so it is written for the
# person running the benchmark. The parts, in the order a run uses them:
#   database.py      the benchmark's own PostgreSQL database, and COPY into it
#   seed.py          the big workspace (seed_rows.py generates its rows)
#   interactions.py  the requests sent to each server, timed (bench/timing.py does the timing)
#   statements.py    the same interactions against an in-process app, statements counted
#   report.py        the Markdown tables and the JSON result
#   __main__.py      options and the run itself
