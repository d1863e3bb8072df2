"""Query planning for reports: each statement planned for its own parameters.

The portal lets psycopg prepare a statement that has run five times on a connection
(``POSTGRES_PREPARED_STATEMENTS`` in settings). PostgreSQL may then run it with a *generic*
plan, made once without looking at the parameters. That is what we want for the small
statements of every page (the session, the user, the permissions), and the wrong thing for a
report's aggregates, whose best plan depends on which township and which dates they count: at
100,000 children the township summary took 431 ms with the generic plans and 359 ms with plans
made for its parameters (medians of 18 interleaved runs, bench/RESULTS.md).

Measured again after the visit figures were rewritten (every township in turn, bench/RESULTS.md,
"Generic or custom plans"): at 100,000 children neither wins; at 10,000 the generic plans are
faster by 8-24 % per township. The custom plans are kept as the guard against a plan made for
one township's numbers and run for another's, which the benchmark's evenly spread data would
not show.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def planned_for_parameters() -> Iterator[None]:
    """Inside the block, PostgreSQL plans every statement for its parameters
    (``plan_cache_mode = force_custom_plan``); prepared statements still skip parsing.

    The setting is local to the block's transaction (a savepoint inside the caller's): put
    back as it was when the block ends, and undone with the rest when it fails. Nothing
    changes on other databases."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('plan_cache_mode'), "
                "set_config('plan_cache_mode', 'force_custom_plan', true)"
            )
            before = cursor.fetchone()[0]
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('plan_cache_mode', %s, true)", [before])
