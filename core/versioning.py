"""Optimistic locking, shared by every editable record (child, visit, plan, activity…)."""


def claim_next_version(obj, expected_version: int) -> bool:
    """Move ``obj``'s row from ``expected_version`` to the next version, or report that
    someone saved it first. The conditional UPDATE is atomic in every database, so of two
    people saving the same form exactly one wins; the loser's caller raises its own
    stale-edit error and writes nothing."""
    claimed = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(version=expected_version + 1)
    )
    if claimed:
        obj.version = expected_version + 1
    return bool(claimed)
