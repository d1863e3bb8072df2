"""Guardians' consent (知情同意): recorded with the rules of PIPL art. 31 and the child's own
view from 8, a photo re-encoded and read only through a logged view, withdrawn with a date,
and checked before a screening or a referral is written."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import AccessLog
from care import services as care_services
from children import services_consent as services
from children.choices import ConsentKind
from children.models import Consent
from core.versioning import StaleEdit
from tests import factories
from tests.care.conftest import answers

pytestmark = pytest.mark.django_db


def data(**overrides) -> dict:
    values = {
        "kind": "screening",
        "recipient": "",
        "status": "given",
        "signed_on": timezone.localdate() - dt.timedelta(days=10),
        "signer_name": "张奶奶",
        "signer_relation": "grandparent",
        "child_assent": "given",
        "note": "",
    }
    values.update(overrides)
    return values


def jpeg(extra: bytes = b"") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (120, 90, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile("同意书.jpg", buffer.getvalue() + extra, content_type="image/jpeg")


@pytest.fixture
def unconsented_child(db):
    return factories.ChildFactory(
        name="王无签", village=factories.village("龙胜镇", "山东村"), consent=False
    )


def screen(actor, child, on=None):
    return care_services.screening_record(
        actor=actor,
        child=child,
        instrument="PHQA",
        respondent="self",
        screened_on=on or timezone.localdate() - dt.timedelta(days=1),
        answers=answers("PHQA"),
    )


def test_the_same_consent_twice_is_refused_at_its_field(shandong_director, shandong_child):
    # The factory gave the screening consent already.
    with pytest.raises(ValidationError) as exc:
        services.consent_record(actor=shandong_director, child=shandong_child, data=data())
    assert exc.value.message_dict["kind"] == ["该儿童已登记过这一事项的同意书，请修改原记录。"]


def test_sharing_needs_the_named_recipient(shandong_director, shandong_child):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=shandong_director, child=shandong_child, data=data(kind="sharing")
        )
    assert "学校或机构名称" in exc.value.message_dict["recipient"][0]
    consent = services.consent_record(
        actor=shandong_director,
        child=shandong_child,
        data=data(kind="sharing", recipient="  龙胜中学  心理辅导室 "),
    )
    assert consent.recipient == "龙胜中学 心理辅导室"


def test_a_child_under_14_cannot_sign_for_themselves(shandong_director, unconsented_child):
    # Born 2012+: under 14 on the signing day.
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=shandong_director,
            child=unconsented_child,
            data=data(
                signer_relation="self",
                signed_on=unconsented_child.birth_date.replace(
                    year=unconsented_child.birth_date.year + 13
                ),
            ),
        )
    assert "个人信息保护法第三十一条" in exc.value.message_dict["signer_relation"][0]


def test_from_8_the_childs_own_view_is_recorded(shandong_director, unconsented_child):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=shandong_director, child=unconsented_child, data=data(child_assent="")
        )
    assert exc.value.message_dict["child_assent"] == ["儿童已满八周岁，请记录儿童本人的意见。"]
    # Under 8 on the signing day it is not asked.
    young = unconsented_child.birth_date.replace(year=unconsented_child.birth_date.year + 7)
    consent = services.consent_record(
        actor=shandong_director,
        child=unconsented_child,
        data=data(child_assent="", signed_on=young),
    )
    assert consent.child_assent == ""


def test_screening_without_consent_is_refused_with_the_reason(
    longsheng_supervisor, unconsented_child
):
    with pytest.raises(ValidationError) as exc:
        screen(longsheng_supervisor, unconsented_child)
    assert "尚未登记监护人对心理健康测评的知情同意" in exc.value.messages[0]
    assert "个人信息保护法第三十一条" in exc.value.messages[0]
    assert not unconsented_child.screenings.exists()


def test_the_screening_form_shows_the_refusal(client_for, longsheng_supervisor, unconsented_child):
    url = reverse("care:screening_create", args=[unconsented_child.pk])
    client = client_for(longsheng_supervisor)
    page = client.get(url).content.decode()
    assert 'id="consent-problem"' in page and "尚未登记监护人" in page
    form = {
        "instrument": "PHQA",
        "respondent": "self",
        "screened_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        **{f"item_{n}": "0" for n in answers("PHQA")},
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "尚未登记监护人对心理健康测评的知情同意" in response.content.decode()
    assert not unconsented_child.screenings.exists()


def test_a_refusal_by_the_guardian_or_the_child_stops_screening(
    shandong_director, longsheng_supervisor, unconsented_child
):
    consent = services.consent_record(
        actor=shandong_director, child=unconsented_child, data=data(status="refused")
    )
    with pytest.raises(ValidationError, match="监护人不同意心理健康测评"):
        screen(longsheng_supervisor, unconsented_child)
    services.consent_update(
        actor=shandong_director,
        consent=consent,
        expected_version=consent.version,
        data={"status": "given", "child_assent": "refused"},
    )
    with pytest.raises(ValidationError, match="儿童本人不同意心理健康测评"):
        screen(longsheng_supervisor, unconsented_child)


def test_a_screening_dated_before_the_consent_is_refused(
    shandong_director, longsheng_supervisor, unconsented_child
):
    services.consent_record(actor=shandong_director, child=unconsented_child, data=data())
    with pytest.raises(ValidationError, match="才签署同意书"):
        screen(longsheng_supervisor, unconsented_child, on=timezone.localdate() - dt.timedelta(20))
    assert screen(longsheng_supervisor, unconsented_child).pk


def test_withdrawal_stops_new_screenings_and_shows_on_the_child_page(
    client_for, shandong_director, longsheng_supervisor, shandong_child
):
    first = screen(longsheng_supervisor, shandong_child)
    consent = Consent.objects.get(child=shandong_child, kind=ConsentKind.SCREENING)
    client = client_for(shandong_director)
    response = client.post(
        reverse("children:consent_withdraw", args=[consent.pk]),
        {
            "version": consent.version,
            "withdrawn_on": timezone.localdate().isoformat(),
            "note": "监护人不再同意",
        },
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "withdrawn" and consent.withdrawn_on == timezone.localdate()
    with pytest.raises(ValidationError, match="撤回对心理健康测评的同意"):
        screen(longsheng_supervisor, shandong_child)
    # What was recorded before stays.
    assert list(shandong_child.screenings.all()) == [first]
    page = client.get(shandong_child.get_absolute_url()).content.decode()
    assert 'id="consent-withdrawn-badge"' in page and "监护人已撤回同意" in page
    log = shandong_child.change_log.filter(record_type="consent").first()
    assert "撤回知情同意" in log.note and log.actor == shandong_director


def test_the_photo_is_reencoded_and_each_read_is_logged(
    client_for, shandong_director, longsheng_supervisor, nanmen_director, unconsented_child
):
    response = client_for(shandong_director).post(
        reverse("children:consent_create", args=[unconsented_child.pk]),
        {
            **{k: v for k, v in data().items() if k != "signed_on"},
            "signed_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "scan": jpeg(extra=b"<script>alert(1)</script>"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get(child=unconsented_child)
    assert consent.scan.name.startswith("consents/") and "同意书" not in consent.scan.name
    with consent.scan.open("rb") as handle:
        assert b"<script>" not in handle.read()
    url = reverse("children:consent_scan", args=[consent.pk])
    before = AccessLog.objects.count()
    response = client_for(longsheng_supervisor).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    entry = AccessLog.objects.order_by("-pk").first()
    assert AccessLog.objects.count() == before + 1
    assert entry.target_type == "consent" and entry.detail["child"] == unconsented_child.pk
    # Another village's director: 404, as if absent.
    assert client_for(nanmen_director).get(url).status_code == 404


def test_not_an_image_is_refused_at_the_field(shandong_director, unconsented_child):
    bad = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=shandong_director, child=unconsented_child, data=data(), scan=bad
        )
    assert "JPEG、PNG 或 WebP" in exc.value.message_dict["scan"][0]
    assert not Consent.objects.filter(child=unconsented_child).exists()


def test_a_stale_consent_edit_keeps_the_first(shandong_director, shandong_child):
    consent = Consent.objects.get(child=shandong_child)
    services.consent_update(
        actor=shandong_director, consent=consent, expected_version=1, data={"note": "第一次"}
    )
    with pytest.raises(StaleEdit):
        services.consent_update(
            actor=shandong_director, consent=consent, expected_version=1, data={"note": "第二次"}
        )
    consent.refresh_from_db()
    assert consent.note == "第一次" and consent.version == 2


def test_a_referral_needs_consent_to_share_with_that_institution(
    longsheng_supervisor, shandong_director, shandong_child
):
    from care.models import Institution

    hospital = Institution.objects.create(name="县医院心理门诊", kind="medical")
    school = Institution.objects.create(name="龙胜中学", kind="school")

    def refer(institution):
        return care_services.referral_create(
            actor=longsheng_supervisor,
            child=shandong_child,
            institution=institution,
            reason="测评阳性",
            referred_on=timezone.localdate(),
        )

    with pytest.raises(ValidationError) as exc:
        refer(hospital)
    assert "向「县医院心理门诊」提供儿童信息" in exc.value.message_dict["institution"][0]
    services.consent_record(
        actor=shandong_director,
        child=shandong_child,
        data=data(kind="sharing", recipient="县医院心理门诊"),
    )
    referral = refer(hospital)
    assert referral.guardian_consent
    # Consent for one institution is not consent for another.
    with pytest.raises(ValidationError, match="龙胜中学"):
        refer(school)


def test_outsiders_cannot_record_consent(pingdeng_supervisor, county_staff, shandong_child):
    from django.core.exceptions import PermissionDenied

    for actor in (pingdeng_supervisor, county_staff):
        with pytest.raises(PermissionDenied):
            services.consent_record(
                actor=actor, child=shandong_child, data=data(kind="sharing", recipient="某校")
            )
