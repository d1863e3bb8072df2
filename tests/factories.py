"""Factories for tests. Areas come from the reference-data migration, so they are looked up,
not created: tests run against the county's real townships and villages."""

import datetime as dt
import itertools

import factory

from accounts.choices import Role
from accounts.models import Township, User, Village
from accounts.services import user_save
from children.models import Child, Consent
from children.services import child_update
from core.validators import make_synthetic_id_number

TEST_PASSWORD = "test-pass-2026"
_sequence = itertools.count(900)


def township(name="龙胜镇") -> Township:
    return Township.objects.get(name=name)


def village(township_name="龙胜镇", name="山东村") -> Village:
    return Village.objects.get(township__name=township_name, name=name)


def make_user(role: str, *, township_name=None, village_name=None, username=None) -> User:
    """A user with a role and area, its groups synced exactly as the admin would."""
    area_township = Township.objects.get(name=township_name) if township_name else None
    area_village = (
        Village.objects.get(township=area_township, name=village_name) if village_name else None
    )
    user = User(
        username=username or f"{role}-{next(_sequence)}",
        name=f"测试{Role(role).label}",
        role=role,
        township=area_township,
        village=area_village,
    )
    user.set_password(TEST_PASSWORD)
    return user_save(user=user)


def synthetic_id(birth_date: dt.date, sex: str = "F") -> str:
    """A checksum-valid ID in the synthetic range; unique per call."""
    for _attempt in range(100):
        sequence = next(_sequence) % 100 + 900
        if (sequence % 2 == 1) != (sex == "M"):
            continue
        number = make_synthetic_id_number("450328", birth_date, sequence, sex)
        if not Child.objects.filter(id_number=number).exists():
            return number
    raise RuntimeError("synthetic ID range exhausted for this birth date")


class ChildFactory(factory.django.DjangoModelFactory):
    """A child written directly (for fixtures); tests of the rules go through services."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试儿童{n}")
    sex = "F"
    birth_date = factory.Sequence(lambda n: dt.date(2012, 1, 1) + dt.timedelta(days=n))
    village = factory.LazyFunction(village)
    township = factory.LazyAttribute(lambda o: o.village.township)
    id_number = factory.LazyAttribute(lambda o: synthetic_id(o.birth_date, o.sex))
    is_synthetic = True
    risk_level = "yellow"

    @factory.post_generation
    def consent(obj, create, extracted, **kwargs):
        """The guardian's consent to screening, given (every screening needs it), signed on
        1 January after the child's birth (``early_signing_date``) so that a screening of any
        date in the tests is covered. ``consent=False`` leaves the child without one."""
        if not create or extracted is False:
            return
        give_consent(obj)


def early_signing_date(child: Child) -> dt.date:
    """A date before any screening the tests record. Not the birth date itself: the pages
    show a consent's date, and a birth date on a page is what the masking tests look for."""
    return dt.date(child.birth_date.year + 1, 1, 1)


def give_consent(
    child: Child,
    *,
    kind: str = "screening",
    recipient: str = "",
    status: str = "given",
    signed_on: dt.date | None = None,
) -> Consent:
    """A consent record written directly (fixtures); the rules are tested through services."""
    consent, _ = Consent.objects.update_or_create(
        child=child,
        kind=kind,
        recipient=recipient,
        defaults={
            "status": status,
            "signed_on": signed_on or early_signing_date(child),
            "signer_name": "测试监护人",
            "signer_relation": "grandparent",
            "child_assent": "given",
            "withdrawn_on": (signed_on or early_signing_date(child))
            if status == "withdrawn"
            else None,
        },
    )
    return consent


def rename_guardian(child: Child, actor: User, name: str) -> Child:
    """One edit of the child through the service (its version claimed, its change logged),
    from the child as it is now: a change to the child's history."""
    child.refresh_from_db()
    return child_update(
        actor=actor, child=child, expected_version=child.version, data={"guardian_name": name}
    )
