"""Quality of "Recommended for you": hit rate at 5 and at 10 against a popularity and a
random baseline, in the same run, on generated workspaces with hidden structure.

For each seed: a fresh SQLite database (migrated by Alembic), a workspace built by
world.py (roles that share interests, a held-out share of each person's completions),
then, for every person, the real RecommendationService's top 10 next to the baselines'.
A person's "hit at k" is 1 when any of their held-out completions is in the top k; the
hit rate is the mean over people. Popularity ranks what the most people completed
(among what that person may still be offered); random draws from the same list.
"""
