"""Field-by-field comparison of an offline edit with the record as it now is.

Plain Python, no Django: three dicts of JSON values in, a decision per field out. A field
only the device changed is taken; a field only the server changed is kept; a field both
changed (to different values) is a conflict unless the person has chosen a side.
"""

from dataclasses import dataclass, field

MINE, THEIRS = "mine", "theirs"


def same(a, b) -> bool:
    """Equal as a person reads them: "" and None are both empty; 1 and "1" are one answer."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return str(a).strip() == str(b).strip()


@dataclass
class MergePlan:
    apply: dict = field(default_factory=dict)  # field -> the device's value, to write
    conflicts: list[str] = field(default_factory=list)  # fields both sides changed
    kept_theirs: list[str] = field(default_factory=list)  # both changed, person kept server's
    took_mine: list[str] = field(default_factory=list)  # both changed, person took device's
    merged_theirs: list[str] = field(default_factory=list)  # only the server changed

    @property
    def server_changed(self) -> bool:
        return bool(self.merged_theirs or self.kept_theirs or self.took_mine or self.conflicts)


def plan_merge(*, base: dict, mine: dict, theirs: dict, choices: dict | None = None) -> MergePlan:
    """``base``: the values the device started from; ``mine``: the device's values (only the
    fields of its form); ``theirs``: the server's values now; ``choices``: field -> "mine" or
    "theirs", the person's decision on a conflict shown to them."""
    choices = choices or {}
    plan = MergePlan()
    for name in theirs:
        start, now = base.get(name), theirs[name]
        server_changed = not same(now, start)
        if name not in mine or same(mine[name], start):
            if server_changed:
                plan.merged_theirs.append(name)
            continue
        value = mine[name]
        if not server_changed:
            plan.apply[name] = value
        elif same(now, value):
            continue  # both made the same change
        elif choices.get(name) == MINE:
            plan.apply[name] = value
            plan.took_mine.append(name)
        elif choices.get(name) == THEIRS:
            plan.kept_theirs.append(name)
        else:
            plan.conflicts.append(name)
    return plan
