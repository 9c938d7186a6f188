"""Taking a quiz at scale, on PostgreSQL, next to a bare Bolt app: Take quiz, Next, and the
final Submit, with its ack (the result) and its full effect (the DM Completed, Home).

    .venv/bin/python -m bench.quiz_scale [--n 200] [--database-url URL] [--time-limit 600]
    .venv/bin/python -m bench.quiz_scale --quick      # a small database, a few samples

Creates databases of its own on the PostgreSQL server of `--database-url` (`--db-name`,
default bench_quiz, and the same name with `_small`), migrates them (bot.db.upgrade),
imports the starter catalog and seeds each as bench/course_scale does (its `seed_courses`:
10,000 resources, 2,000 members and 200,000 assignments in the large one, 1,000 / 200 /
2,000 in the small one, then its course and path). Then, through the app's own services in
this process: a quiz of its own ("type": "quiz", ten questions, two pages of five) is
imported by `services.catalog.import_rows` and assigned to every learner (one assignment
each, so every timed submission is a learner's first attempt, and it passes); the DMs of
those who will take it are sent to the stand-in (FakeSlack, in this process), everyone
else gets an earlier failed attempt. The databases are dropped at the end (`--keep-db`).

On the small database, then on the large one, the requests are sent to an in-process app
(bot.app.build_app + bot.web.make_wsgi_app, as tests/conftest.py builds it) and their SQL
statements counted (before_cursor_execute; request thread = in the ack, after-ack executor
= after it), with their time at the driver, the Web API calls and the templates rendered;
EXPLAIN ANALYZE of the slowest statements on the large one. On the large one, `trainbot
serve` and bare apps (bench/quiz_scale/bare.py: bench/bare_apps.py's, also acking Take
quiz and the quiz's submissions) run on gunicorn as in bench/assign_scale, and each
request is timed, one at a time, in rotating blocks, each learner on their first attempt:
- `take`: Take quiz (`quiz.take`) on the learner's DM: the ack, and until the first page's
  views.open is answered;
- `next`: Next on page 1 (view_submission `quiz`, the five answers picked by their text
  from the page the app sent): the ack, which carries page 2;
- `submit`: Submit on page 2, every answer right: the ack, which carries the result
  ("Passed"), until the DM's chat.update (Completed) is answered, and until it and
  Home's views.publish are.
A learner goes through the three in turn (the ones who took the quiz answer page 1, those
submit page 2). The bare apps get the very bytes Trainbot last got (re-signed) and only ack.

`--quick`: a small "large" database (2,000 resources / 400 members / 20,000 assignments),
N=20, 3 warm-up requests and 2 counted ones per kind; any size or count given beside it
wins. Prints Markdown tables and writes bench/results/quiz_scale.json. The exit status is
1 when a request or an effect failed, the stand-in saw a payload over Slack's limits, or a
request ran a different number of statements at the two sizes.
"""

# The docstring above is also what `--help` prints. The parts, in the order a run uses them:
#   seed.py          the data: course_scale's seed, then the quiz, assigned to every learner
#   bare.py          bench/bare_apps.py's apps, with listeners for Take quiz and the pages
#   interactions.py  the requests, sent to each server and timed (assign_scale's AssignBench)
#   statements.py    the same requests to an in-process app: statements, calls, time, EXPLAIN
#   report.py        the Markdown tables, the JSON result and the exit status
#   __main__.py      options and the run itself
