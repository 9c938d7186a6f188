"""/progress and the Team progress tab at scale, on PostgreSQL or SQLite, next to a bare Bolt app.

    .venv/bin/python -m bench.progress_scale [--n 100] [--database-url URL] [--time-limit 420]
    .venv/bin/python -m bench.progress_scale --sqlite [--n 100] [--assignments 100000 ...]

Creates databases of its own on the PostgreSQL server of `--database-url` (`--db-name`,
default trainbot_progress_bench, and the same name with `_small`), migrates them
(bot.db.upgrade), imports the starter catalog and seeds each with bench/assign_scale's
workspace (10,000 resources, 2,000 members): 200,000 assignments in the big one,
`--small-assignments` (20,000) in the small one. In both the first manager is made the
assigner of `--share` (half) of all assignments and the second an admin; the stand-in
(FakeSlack, in this process) gets a user group @big of `--group` (500) learners. The
databases are dropped at the end (`--keep-db`).

With `--sqlite` the two databases are SQLite files instead (`--db-name`.sqlite3 and
`--db-name`_small.sqlite3, in the run's work folder; removed at the end unless
`--keep-db`), seeded with the same rows (executemany in one transaction, the tally
triggers dropped meanwhile and the tallies rebuilt after, then ANALYZE); the servers get
the file's URL as DATABASE_URL and open it as the app always does (WAL). EXPLAIN is then
EXPLAIN QUERY PLAN, with the statement run once more, timed.

On the small database, then on the big one, the interactions are sent to an in-process app
(bot.app.build_app + bot.web.make_wsgi_app, as tests/conftest.py builds it) and their SQL
statements counted (before_cursor_execute; request thread = in the ack, after-ack executor
= after it), with their time at the driver; EXPLAIN ANALYZE of the slowest statement of the
heavy ones. On the big one, `trainbot serve` and bare apps (bench/progress_scale/bare.py:
bench/bare_apps.py's, also acking these requests) run on gunicorn as in
bench/assign_scale, and each interaction is timed, one at a time, in rotating blocks:
- `group`: `/progress <!subteam^S0BIGGROUP|@big>` by the big manager: the ack, and until
  the report is POSTed to the command's response_url;
- `person`: `/progress @someone`, and `training`: `/progress words naming a training`;
- `team`: the "Team progress" button of the manager's Home (block_actions from the Home
  view, which already shows Team progress): the ack, and until views.publish is recorded;
- `team_domain`: the Team tab's domain filter (going round the team's biggest domains);
- `team_admin`: the Team progress button, clicked by the admin (every assignment);
- `team_lead`: the Team progress button, clicked by the lead, the manager who assigned
  everything a team of `--team` (5,000) learners has;
- `export`: "Export CSV" on the @big report: the ack, until files.completeUploadExternal
  is recorded, and the CSV's size.
The bare apps get the very bytes Trainbot last got (re-signed) and only ack.

Prints Markdown tables and writes bench/results/progress_scale.json
(bench/results/progress_scale_sqlite.json with --sqlite).
"""

# The docstring above is also what `--help` prints. The parts, in the order a run uses them:
#   seed.py          the data: assign_scale's seed, then the big manager, the admin, the group
#   seed_sqlite.py   the same data in a SQLite file (--sqlite)
#   bare.py          bench/bare_apps.py's apps, with listeners for these requests
#   interactions.py  the requests, sent to each server and timed (assign_scale's AssignBench)
#   statements.py    the same requests to an in-process app: statements counted, EXPLAIN
#   report.py        the Markdown tables, the JSON result and the exit status
#   __main__.py      options and the run itself
