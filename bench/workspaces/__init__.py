"""Mark complete with 1,000 installed workspaces, on PostgreSQL, next to a bare Bolt app.

    .venv/bin/python -m bench.workspaces [--runs 3] [--n 200] [--database-url URL]
    .venv/bin/python -m bench.workspaces --runs 1 --n 30       # a quick look

Creates a database of its own (`--db-name`, default trainbot_workspaces) on the PostgreSQL
server of `--database-url`, migrates it (bot.db.upgrade), imports the starter catalog and
seeds 1,000 workspaces (`--workspaces`), each with 4 people (`--members`: a manager who
installed Trainbot and learners), 3 resources of its own and 5 assignments per learner.
Each installation is saved through the app's own SealedInstallationStore (its tokens
sealed) with a team id and bot token of its own, which the stand-in (a FakeSlack in this
process) accepts. The DMs to click are posted by the app's outbox sender, each with its
workspace's token. The database is dropped at the end (`--keep-db`).

Then, `--runs` times, with fresh servers each time: `trainbot serve` in many-workspace mode
(SLACK_CLIENT_ID / SECRET, TRAINBOT_ENCRYPTION_KEY, no SLACK_BOT_TOKEN: Bolt authorizes
every request from its workspace's installation) and bare apps (bench/bare_apps.py, one
bot token) on gunicorn, as in bench/assign_scale; signed clicks on "Mark complete" in those
DMs, one at a time, in rotating blocks, each carrying its workspace's team id:
- `complete`: in the `--active` (20) workspaces in turn, each asked again every few seconds,
  after a warm-up that asks each of them twice: what the installation cache serves;
- `first`: each click in a workspace nothing was asked of before (the 20 aside): what a
  request costs when its installation is not cached.
Timed: the ack, and for Trainbot the effect (the DM's chat.update and Home's views.publish
answered, both checked to use the workspace's own token) and how many auth.test calls the
stand-in answered per request. The bare apps get the very bytes Trainbot last got
(re-signed) and only ack.

Statements per click: the same clicks sent to an in-process app in many-workspace mode on
the same database, statements counted (request thread = in the ack, executor = after it),
those on the installation tables apart.

Prints Markdown tables and writes bench/results/workspaces.json. The exit status is 1
when a request failed, the stand-in saw a payload over Slack's limits, or a call used
another workspace's token.
"""

# The docstring above is also what `--help` prints. The parts, in the order a run uses them:
#   seed.py          the workspaces, their installations (store.save) and the DMs to click
#   interactions.py  the clicks, as from each workspace, sent to each server and timed
#   statements.py    the same clicks to an in-process app: statements, auth.test calls
#   report.py        the Markdown tables, the JSON result and the exit status
#   __main__.py      options and the run itself
