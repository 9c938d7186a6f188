"""A course item's Done click and a path step that opens the next, at scale, on PostgreSQL,
next to a bare Bolt app.

    .venv/bin/python -m bench.course_scale [--n 100] [--database-url URL] [--time-limit 600]

Creates databases of its own on the PostgreSQL server of `--database-url` (`--db-name`,
default bench_course, and the same name with `_small`), migrates them (bot.db.upgrade),
imports the starter catalog and seeds each with bench/assign_scale's workspace: 10,000
resources, 2,000 members and 200,000 assignments in the large one (1,000 / 200 / 2,000 in
the small one). Then, through the app's own services in this process (as
tests/test_course_statements.py builds it): the sample catalog of
tests/data/courses_and_paths.json (the path "New support agent": an article, a course, a
PDF) and a course of 20 sections x 15 items are imported, the course is assigned and the
path enrolled to every learner, and the DMs of those who will click are sent to the
stand-in (FakeSlack, in this process); the other learners are part-way through the course.
The databases are dropped at the end (`--keep-db`).

On the small database, then on the large one, the clicks are sent to an in-process app
(bot.app.build_app + bot.web.make_wsgi_app, as tests/conftest.py builds it) and their SQL
statements counted (before_cursor_execute; request thread = in the ack, after-ack executor
= after it), with their time at the driver, the Web API calls and the templates rendered;
EXPLAIN ANALYZE of the slowest statement on the large one. On the large one, `trainbot
serve` and bare apps (bench/course_scale/bare.py: bench/bare_apps.py's, also acking Done)
run on gunicorn as in bench/assign_scale, and each click is timed, one at a time, in
rotating blocks, each by a learner who has not clicked before:
- `done`: Done (`course.item.done`) on an item of the 20 x 15 course, in its "Open course"
  modal (opened from the course's DM just before, not timed): the ack, until the modal's
  views.update is answered, and until the DM's chat.update and Home's views.publish are too;
- `step`: Mark complete (`assignment.complete`) on the DM of step 1 of the path: the ack,
  until step 1's DM is updated, and until step 2's DM is posted (chat.postMessage).
The bare apps get the very bytes Trainbot last got (re-signed) and only ack.

Prints Markdown tables and writes bench/results/course_scale.json. The exit status is 1
when a request or an effect failed, the stand-in saw a payload over Slack's limits, or a
click ran a different number of statements at the two sizes.
"""

# The docstring above is also what `--help` prints. The parts, in the order a run uses them:
#   seed.py          the data: assign_scale's seed, then the course and the path, assigned
#   bare.py          bench/bare_apps.py's apps, with a listener for the Done click
#   interactions.py  the clicks, sent to each server and timed (assign_scale's AssignBench)
#   statements.py    the same clicks to an in-process app: statements, calls, time, EXPLAIN
#   report.py        the Markdown tables, the JSON result and the exit status
#   __main__.py      options and the run itself
