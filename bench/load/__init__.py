"""Three `trainbot serve` replicas under live load, with a replica killed and PostgreSQL
restarted midway; then the accounting of every message and write.

    .venv/bin/python -m bench.load [--quick] [--seconds 300] [--rate 5] [--soak MINUTES]

Starts a throwaway PostgreSQL from local binaries (so it can be restarted), the Slack
stand-in with Slack's rate tiers and a share of 429s and 5xx at random, and three
`trainbot serve` replicas, each with its in-process scheduler. A workload at a fixed rate
(slash commands /assign, /library, /progress; typeaheads on the /assign modal; the
modal submitted to user groups and channels; Mark complete in DMs; Home opens; channel
joins as event callbacks) goes to them round robin, each request on a fresh connection,
as Slack sends them. Reminders and digests fall due before the start and during the load.

During the load replica 2 is killed with SIGKILL (workers and scheduler with it) and
started again, and PostgreSQL is stopped (sessions cut) and started again. Then the
outbox is left to drain and the accounting runs: nothing owed or failed, no message
landed twice, every assignment its one DM, every due reminder and digest once, every
acked write in the database.

Prints throughput, ack p50 / p99 / max per kind, errors by kind, the accounting and
each process's RSS, threads and database connections; writes bench/results/load.json.
Exits 1 when a check fails: an ack at or past 3 s, a request failing other than cut by
the kill, an "unexpected error" in a replica's log, or any accounting failure.

--quick: 90 s at the same rate, a 30 s outbox lease (TRAINBOT_OUTBOX_LEASE_S), one kill
and restart and one PostgreSQL restart: under 5 minutes in all.
--soak MINUTES: that long at 2 requests/s, the processes sampled every 30 s.
"""

# The parts: seed.py (the workspace), cluster.py (the replicas and the round robin),
# workload.py (the requests), run.py (one run, faults and drain), accounting.py (the
# checks against the database and the stand-in), procs.py (RSS & co), report.py (tables).
