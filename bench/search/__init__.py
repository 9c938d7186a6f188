"""The /assign typeahead at 1k, 10k and 100k resources, on PostgreSQL and SQLite.

    .venv/bin/python -m bench.search [--n 300] [--sizes 1000 10000 100000]
                                     [--databases postgresql sqlite] [--quick]

Issue 15's target: "a typeahead answers (ack with options) in under 20 ms p99
server-side at 100,000 resources on PostgreSQL and on SQLite, and its time stays flat
from 1k to 100k". For each database and each size it makes a fresh database
(PostgreSQL: `--db-name` on `--database-url`'s server, dropped at the end; SQLite: a
file in a temporary folder), migrates it (bot.db.upgrade), seeds one workspace with
varied resources (titles, descriptions, skills, domains; the search_* columns folded as
the app folds them, the index kept by the database), starts `trainbot serve` and the
bare Bolt app (bench/bare_apps.py) on gunicorn and sends signed block_suggestion
requests for the `assign.resource` select of an open /assign modal, as Slack does (a
fresh connection each), one at a time, with what a manager types: keystroke prefixes,
two words, nothing, a typo (the did-you-mean path), a word found only in descriptions.
The bare app gets Trainbot's very bytes, re-signed, and acks with no options.

Prints Markdown tables (per size; per query class) and writes bench/results/search.json.
"""

# The parts, in the order a run uses them:
#   data.py      the generated library (titles from a vocabulary) and what is typed
#   database.py  a database per (kind, size): created, migrated, seeded, dropped
#   typing_.py   the typeahead requests, timed per target and per query class
#   report.py    the tables, the verdicts (p99 < 20 ms, flat) and the JSON
#   __main__.py  options and the run itself
