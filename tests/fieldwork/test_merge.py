from fieldwork.merge import plan_merge, same


def test_same_reads_values_as_a_person_does():
    assert same("", None) and same(True, "on") is True and same(1, "1")
    assert not same("a", "b") and not same(True, False)


def test_one_sided_changes_merge_and_both_sided_ones_conflict():
    base = {"a": "1", "b": "1", "c": "1", "d": "1"}
    theirs = {"a": "1", "b": "2", "c": "3", "d": "4"}
    mine = {"a": "9", "b": "1", "c": "8", "d": "4"}
    plan = plan_merge(base=base, mine=mine, theirs=theirs)
    assert plan.apply == {"a": "9"}
    assert plan.merged_theirs == ["b"]
    assert plan.conflicts == ["c"]  # d: both made the same change


def test_the_persons_choice_decides_a_conflict():
    base, theirs, mine = {"c": "1"}, {"c": "3"}, {"c": "8"}
    assert plan_merge(base=base, mine=mine, theirs=theirs, choices={"c": "mine"}).apply == {
        "c": "8"
    }
    kept = plan_merge(base=base, mine=mine, theirs=theirs, choices={"c": "theirs"})
    assert kept.apply == {} and kept.kept_theirs == ["c"] and not kept.conflicts
