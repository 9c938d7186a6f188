"""The weekly digest of a 20,000-person scope at a million assignments, in process, on PostgreSQL.

    .venv/bin/python -m bench.digest_scale [--n 10] [--database-url URL]

Issue 16: "the digest for a 20,000-person scope [is posted] within 2 s". Creates a database
of its own (`--db-name`, default trainbot_digest_bench) on the PostgreSQL server of
`--database-url`, migrates it and seeds it with assign_scale's seed (COPY: 50,000
resources, 20,000 members, 1,000,000 assignments with their events). Three digest
subscriptions are made through the app's DigestService.subscribe, all due on Monday
7 December 2026 at 09:00 UTC: a channel whose members are all 20,000 people (`--channel`),
the whole workspace, and a channel of 50 (`--small-channel`). The stand-in (FakeSlack, in
this process) knows both channels and their members.

For each subscription, `--n` times: its outbox row deleted and the app's plan() run again
(not timed; the digest is then owed), then `deliver_pending` (the app's services, built
with build_services and a FixedClock at the digest's moment), timed from its start until
the stand-in has recorded the chat.postMessage: the channel's members read from Slack, the
numbers computed, the chart drawn and uploaded, the message rendered and posted. Every
statement is counted and timed at the driver; the slowest of each subscription is run
again under EXPLAIN (ANALYZE, BUFFERS). The same is first done on a small database
(`--small-assignments`, `--small-n` runs) to see whether the statements per digest stay
the same as the data grows.

Each posted digest is checked against counts the benchmark makes with its own SQL on
resource_assignments (total, rate and its change since last week, completed this week, in
progress, overdue, the overdue list, the top learners and trainings). The exit status is 1
when a figure disagrees, a digest was not posted exactly once, or the stand-in saw a
payload over Slack's limits. The database is dropped at the end (`--keep-db` keeps it).
Prints Markdown tables and writes bench/results/digest_scale.json.
"""

# The parts, in the order a run uses them:
#   world.py     the seed, the channels, the subscriptions; the benchmark's own counts
#   runs.py      the timed digests, their statements, EXPLAIN; the posted figures read back
#   report.py    the Markdown tables, the JSON result and the exit status
#   __main__.py  the options and the run (small database, then the big one)
