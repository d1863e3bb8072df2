"""seed_scale: bulk synthetic data for the benchmark, refused on a production database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import Village
from activities.models import Activity, Campaign, Participation
from care.models import Screening
from care.screening import score
from children.models import ChangeLog, Child
from children.pinyin import pinyin_keys
from core.validators import is_synthetic_id_number, parse_id_number
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_seed_scale_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", children=50)
    assert not Child.objects.exists()
    assert not Visit.objects.exists()


def test_seed_scale_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("seed_scale", children=5)
    assert Child.objects.filter(is_synthetic=True).count() == 5


def test_seed_scale_writes_children_with_valid_ids_pinyin_visits_and_screenings(settings):
    settings.DEBUG = False
    call_command("seed_scale", children=50, force=True)

    children = list(Child.objects.all())
    assert len(children) == 50
    assert all(child.is_synthetic for child in children)
    for child in children:
        info = parse_id_number(child.id_number)  # checksum, date and sex all valid
        assert info.birth_date == child.birth_date and info.sex == child.sex
        assert is_synthetic_id_number(child.id_number)
        assert (child.name_pinyin, child.name_initials) == pinyin_keys(child.name)
        assert child.village.township_id == child.township_id
    # Written encrypted with their keyed hashes (COPY on PostgreSQL, bulk_create on SQLite):
    # the numbers above were decrypted, and a lookup by number finds its child.
    assert Child.objects.get(id_number=children[0].id_number) == children[0]
    # Spread over several townships and villages, each child with a history entry.
    assert len({child.township_id for child in children}) > 3
    assert ChangeLog.objects.filter(record_type="child").count() == 50

    per_child = Visit.objects.values("child").annotate(n=Count("pk"))
    assert {row["n"] for row in per_child} <= set(range(5, 16))
    assert Visit.objects.count() >= 250
    for visit in Visit.objects.all()[:50]:
        visit.full_clean()  # every row would pass the model's own validation

    screenings = list(Screening.objects.all())
    assert screenings
    for screening in screenings:
        result = score(screening.instrument, screening.answers_by_item())
        assert (screening.total, screening.band, screening.positive) == (
            result.total,
            result.band,
            result.positive,
        )
        assert screening.screened_on >= screening.child.birth_date

    campaign = Campaign.objects.get(year=2026)
    assert Activity.objects.filter(campaign=campaign).exists()
    assert Participation.objects.exists()


def test_seed_scale_adds_marked_villages_to_keep_about_100_children_per_village(
    settings, monkeypatch
):
    # Scaled down: 1 child per village, so 300 children need ~300 villages (the county has
    # 128 real ones).
    monkeypatch.setattr("scale.seed.CHILDREN_PER_VILLAGE", 1)
    before = Village.objects.count()
    call_command("seed_scale", children=300, force=True)
    added = Village.objects.filter(code__contains="S")
    assert added.exists() and before + added.count() >= 295
    assert all(v.name.endswith("（规模测试）") for v in added)


def test_seed_scale_twice_adds_more_children_without_id_collisions(settings):
    call_command("seed_scale", children=20, force=True, seed=1)
    call_command("seed_scale", children=20, force=True, seed=1)
    assert Child.objects.count() == 40
    assert Child.objects.values("id_number").distinct().count() == 40
