"""The world of the IDOR matrix and the mass-assignment tests, and the helpers they share.

Two areas: 龙胜镇 (villages 山东村 and 南门村) and 平等镇. One record of every area-scoped model
lives in 龙胜镇 山东村 (or, for township-level records, in 龙胜镇), each carrying a sentinel
string that must never reach a user of another area:

- village sentinels: the child 哨兵甲 and its care records (visit, screening, alert, plan,
  referral, pairing, follow-up, history, consent); the child 哨兵乙, whose transfer to a
  third 龙胜镇 village waits (both sides see the request); 哨兵丙, 哨兵甲's sibling in their
  household; 哨兵丁, whose closure request waits for the supervisor. Neither the 平等镇
  supervisor nor the 南门村 child director may see them. The alert's notification to the
  龙胜镇 supervisor is his alone.
- township sentinels: the activity, its photo, the purchased service, the training, the
  township report and its version, and the 山东村 director's name. The 南门村 director belongs
  to 龙胜镇 and sees township records by design (docs/architecture.md "The scoping rule");
  the 平等镇 supervisor must not.

The world is built once per test module inside an outer transaction that is rolled back at
the end (``world_fixture``); each test runs in its own savepoint through pytest-django's
``db`` fixture, so nothing a test does leaks into the next one.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import openpyxl
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.audit import AccessAction, log_access
from accounts.choices import Role
from accounts.models import Village
from activities import notice_services
from activities import services as activity_services
from activities.choices import ActivityForm, LeaderLevel, PartnerKind
from activities.models import Campaign
from care import choices as care_choices
from care import services as care_services
from care.screening import get_instrument
from children import services_closure as closure_services
from children import services_consent as consent_services
from children import services_households as household_services
from children.choices import ChangeAction
from children.services import record_change
from children.services_transfer import transfer_request
from notifications.models import Notification
from reports import services as report_services
from tests import factories
from tests.jobs.helpers import downloaded
from visits import services as visit_services

ABSENT_ID = 999_999_999  # never an existing primary key

# --- the sentinels ---------------------------------------------------------------------------

CHILD_NAME = "哨兵甲"
DIRECTOR_NAME = "哨兵主任"
GUARDIAN_PHONE = "13900001111"
VILLAGE_SENTINELS = [
    CHILD_NAME,
    GUARDIAN_PHONE,
    "SENTINEL-CHILD-ADDR",
    "SENTINEL-CHILD-MEASURES",
    "SENTINEL-HISTORY",
    "SENTINEL-VISIT-PLACE",
    "SENTINEL-VISIT-ACTIONS",
    "SENTINEL-PLAN-GOALS",
    "SENTINEL-REFERRAL-REASON",
    "SENTINEL-PAIRING-NOTE",
    "SENTINEL-FOLLOWUP",
    "SENTINEL-TRANSFER-REASON",
    "SENTINEL-SESSION-NOTES",
    "SENTINEL-INCIDENT",
    "SENTINEL-HOUSEHOLD",
    "哨兵乙",
    "哨兵丙",
    "哨兵签署人",
    "哨兵丁",
    "SENTINEL-CLOSURE-NOTE",
]  # plus the child's full ID number, added when the world is built
TOWNSHIP_SENTINELS = [
    DIRECTOR_NAME,
    "SENTINEL-ACTIVITY",
    "SENTINEL-PHOTO",
    "SENTINEL-SERVICE",
    "SENTINEL-TRAINING",
    "SENTINEL-REPORT",
    "SENTINEL-NOTICE-PLAN",
    "SENTINEL-NOTICE-STORY",
    "SENTINEL-NOTICE-NEED",
]

# The two outsiders and the level of records each must never see.
ROLES = ("pingdeng_supervisor", "nanmen_director")


def sentinels_for(world, role: str) -> list[str]:
    """What ``role`` must never see: the 平等镇 supervisor nothing of 龙胜镇; the 南门村
    director nothing of 山东村 (its own township's records it may see by design)."""
    village = [*VILLAGE_SENTINELS, world.child.id_number]
    if role == "pingdeng_supervisor":
        return [*village, *TOWNSHIP_SENTINELS]
    return village


# --- URL targets of the matrix ---------------------------------------------------------------

# Every URL that takes the id of an area-scoped object → the world object it is requested
# with ("rule"). test_url_registry checks that every "scoped:<rule>" URL is listed here.
IDOR_TARGETS = {
    "children:detail": "child",
    "children:edit": "child",
    "children:reveal": "child",
    "children:close": "child",
    "children:reopen": "child",
    "children:transfer": "child",
    "children:transfer_detail": "transfer",
    "children:transfer_accept": "transfer",
    "children:transfer_reject": "transfer",
    "children:transfer_cancel": "transfer",
    "visits:create": "child",
    "visits:household_create": "household",
    "children:household_create": "child",
    "children:household_detail": "household",
    "children:household_edit": "household",
    "children:household_guardian": "household",
    "care:screening_create": "child",
    "care:plan_create": "child",
    "care:referral_create": "child",
    "care:pairing_create": "child",
    "visits:detail": "visit",
    "visits:edit": "visit",
    "visits:review": "visit",
    "visits:attachment_add": "visit",
    "visits:attachment": "attachment",
    "visits:attachment_delete": "attachment",
    "care:screening_detail": "screening",
    "care:alert_detail": "alert",
    "notifications:open": "notification",
    "care:plan_detail": "plan",
    "care:plan_edit": "plan",
    "care:plan_submit": "draft_plan",
    "care:plan_decide": "submitted_plan",
    "children:consent_create": "child",
    "children:consent_edit": "consent",
    "children:consent_withdraw": "consent",
    "children:consent_scan": "consent",
    "children:closure_detail": "closure",
    "care:referral_detail": "referral",
    "care:referral_edit": "referral",
    "care:referral_status": "referral",
    "care:pairing_detail": "pairing",
    "care:pairing_edit": "pairing",
    "care:followup_create": "pairing",
    "care:session_create": "plan",
    "care:session_edit": "session",
    "care:incident_create": "child",
    "care:incident_detail": "incident",
    "care:incident_edit": "incident",
    "activities:detail": "activity",
    "activities:edit": "activity",
    "activities:photo_upload": "activity",
    "activities:photo": "photo",
    "activities:photo_thumb": "photo",
    "activities:service_detail": "service",
    "activities:service_edit": "service",
    "activities:training_detail": "training",
    "activities:training_edit": "training",
    "activities:partner_edit": "partner",
    "activities:plan_edit": "notice_plan",
    "activities:story_edit": "notice_story",
    "activities:need_edit": "notice_need",
    "reports:township": "township-report",
    "reports:township_export": "township-report",
    "reports:return": "township-report",
    "reports:accept": "township-report",
    "reports:reopen": "township-report",
    "reports:version": "report-version",
}

# Records of a village (a village director of another village must get 404) versus records
# of a township (the 南门村 director is in 龙胜镇 and may reach them by design).
VILLAGE_RULES = {
    "notification",
    "child",
    "transfer",
    "visit",
    "attachment",
    "screening",
    "alert",
    "plan",
    "draft_plan",
    "submitted_plan",
    "consent",
    "closure",
    "referral",
    "pairing",
    "session",
    "incident",
    "household",
}
TOWNSHIP_RULES = {
    "activity",
    "photo",
    "service",
    "training",
    "partner",
    "notice_plan",
    "notice_story",
    "notice_need",
    "township-report",
    "report-version",
}


def rule_level(rule: str) -> str:
    return "village" if rule in VILLAGE_RULES else "township"


def target_kwargs(endpoint, rule: str, world, *, absent: bool = False) -> dict:
    """URL kwargs that point ``endpoint`` at the world's record (or at no record at all)."""
    if rule in ("township-report", "report-version"):
        kwargs = {"year": world.campaign.year, "township_id": world.ls.pk}
        if absent:
            kwargs["township_id"] = ABSENT_ID
        if "number" in endpoint.params:
            kwargs["number"] = 1
        return kwargs
    (param,) = endpoint.params
    obj = getattr(world, rule)
    return {param: ABSENT_ID if absent else obj.pk}


# --- building the world ----------------------------------------------------------------------


def _png(color=(30, 140, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("form.jpg", buffer.getvalue(), content_type="image/jpeg")


def _visit_data(day, **overrides) -> dict:
    data = {
        "date": day,
        "kind": "home",
        "co_visitors": "",
        "place": "儿童家中",
        "emotion_state": "good",
        "emotion_note": "",
        "study_state": "fair",
        "study_note": "",
        "life_state": "good",
        "life_note": "",
        "safety_state": "good",
        "safety_note": "",
        "guardian_informed": True,
        "actions_taken": "",
        "follow_up_needed": False,
        "follow_up_note": "",
    }
    data.update(overrides)
    return data


def build_world() -> SimpleNamespace:
    """Every scoped record once in 龙胜镇 山东村, plus the outsiders' own records."""
    today = timezone.localdate()
    w = SimpleNamespace()
    w.today = today
    w.ls, w.pd = factories.township("龙胜镇"), factories.township("平等镇")
    w.shandong = factories.village("龙胜镇", "山东村")
    w.nanmen = factories.village("龙胜镇", "南门村")
    w.pd_village = factories.village("平等镇", "罗汉村")

    w.county_admin = factories.make_user(Role.COUNTY_ADMIN, username="m-county")
    w.ls_supervisor = factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇", username="m-longsheng"
    )
    w.shandong_director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村", username="m-shandong"
    )
    w.shandong_director.name = DIRECTOR_NAME
    w.shandong_director.save(update_fields=["name"])
    w.pingdeng_supervisor = factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="平等镇", username="m-pingdeng"
    )
    w.nanmen_director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="南门村", username="m-nanmen"
    )
    ls_sup, director = w.ls_supervisor, w.shandong_director

    # --- the ledger: the sentinel child, its history and an access-log entry
    w.child = factories.ChildFactory(
        name=CHILD_NAME,
        village=w.shandong,
        # Fourteen, whatever the factory's running sequence has reached in this process: the
        # offline screening control (GAD-7, self-report from 12) must be one the child may take.
        birth_date=today - dt.timedelta(days=14 * 365 + 100),
        registered_on=today - dt.timedelta(days=400),
        address="SENTINEL-CHILD-ADDR",
        support_measures="SENTINEL-CHILD-MEASURES",
        guardian_name="哨兵监护人",
        guardian_phone=GUARDIAN_PHONE,
        responsible_director=director,
        risk_level="orange",
    )
    record_change(
        child=w.child, actor=ls_sup, action=ChangeAction.UPDATE, note="SENTINEL-HISTORY 核实信息"
    )
    log_access(action=AccessAction.VIEW_CHILD, user=ls_sup, target=w.child)

    # The outsiders' own children, so their own pages (forms, pickers) have something to show.
    w.pd_child = factories.ChildFactory(
        name="罗平等", village=w.pd_village, registered_on=today - dt.timedelta(days=300)
    )
    w.nanmen_child = factories.ChildFactory(
        name="南门童", village=w.nanmen, registered_on=today - dt.timedelta(days=300)
    )
    # A transfer waiting between two villages of 龙胜镇 that are neither outsider's: the
    # sending and the receiving area see it, 南门村 and 平等镇 must not.
    w.transfer_target = (
        Village.objects.filter(township=w.ls, status="active")
        .exclude(pk__in=[w.shandong.pk, w.nanmen.pk])
        .order_by("code")
        .first()
    )
    w.transfer_child = factories.ChildFactory(
        name="哨兵乙", village=w.shandong, registered_on=today - dt.timedelta(days=200)
    )
    w.transfer = transfer_request(
        actor=director,
        child=w.transfer_child,
        to_village=w.transfer_target,
        reason="SENTINEL-TRANSFER-REASON 随母迁居",
    )

    # --- the sentinel child's household (家庭户) with a sibling
    w.sibling = factories.ChildFactory(
        name="哨兵丙", village=w.shandong, registered_on=today - dt.timedelta(days=300)
    )
    w.household = household_services.household_create(
        actor=director,
        village=w.shandong,
        data={
            "name": "SENTINEL-HOUSEHOLD 哨兵家",
            "address": "SENTINEL-HOUSEHOLD-ADDR",
            "guardian_name": "哨兵监护人",
            "guardian_phone": GUARDIAN_PHONE,
        },
        members=[w.child, w.sibling],
    )
    w.child.refresh_from_db()

    # --- a visit recorded by the 山东村 director (pending review) with an attachment
    w.visit = visit_services.visit_record(
        actor=director,
        child=w.child,
        data=_visit_data(
            today - dt.timedelta(days=2),
            place="SENTINEL-VISIT-PLACE",
            actions_taken="SENTINEL-VISIT-ACTIONS",
        ),
    )
    w.attachment = visit_services.attachment_add(
        actor=director, visit=w.visit, upload=_jpeg_upload()
    )

    # --- care records: a screening raising an alert, a plan, a referral, a pairing, a follow-up
    answers = dict.fromkeys(get_instrument("PHQA").item_numbers, 1)
    answers[9] = 2  # item 9 (suicidal ideation) raises a safety alert
    w.screening = care_services.screening_record(
        actor=ls_sup,
        child=w.child,
        instrument="PHQA",
        respondent="self",
        screened_on=today - dt.timedelta(days=3),
        answers=answers,
    )
    w.alert = w.screening.safety_alert
    w.notification = Notification.objects.get(
        recipient=w.ls_supervisor, key=f"alert:{w.alert.pk}:raised"
    )
    w.plan = care_services.care_plan_create(
        actor=ls_sup,
        child=w.child,
        data={
            "goals": "SENTINEL-PLAN-GOALS 稳定情绪",
            "measures": "每两周心理辅导一次",
            "responsible_name": "王督导",
            "started_on": today - dt.timedelta(days=3),
            "review_on": today + dt.timedelta(days=30),
        },
        services=[care_choices.CareService.COUNSELLING],
    )
    # Plans of the 山东村 director: a draft (to submit) and one waiting for approval.
    plan_data = {
        "measures": "每周谈心一次",
        "responsible_name": DIRECTOR_NAME,
        "started_on": today - dt.timedelta(days=1),
        "review_on": today + dt.timedelta(days=30),
    }
    w.draft_plan = care_services.care_plan_create(
        actor=director,
        child=w.child,
        data={**plan_data, "goals": "SENTINEL-PLAN-GOALS 草稿"},
        services=[care_choices.CareService.COMFORT],
        submit=False,
    )
    w.submitted_plan = care_services.care_plan_create(
        actor=director,
        child=w.child,
        data={**plan_data, "goals": "SENTINEL-PLAN-GOALS 待审批"},
        services=[care_choices.CareService.COMFORT],
    )
    w.institution = care_services.institution_save(
        actor=w.county_admin,
        data={
            "name": "矩阵测试县医院心理门诊",
            "kind": care_choices.InstitutionType.MEDICAL,
            "contact_person": "",
            "phone": "",
            "address": "",
            "note": "",
            "is_active": True,
        },
    )
    # The guardian's consent to share with the institution, with the photo of the form.
    w.consent = consent_services.consent_record(
        actor=director,
        child=w.child,
        data={
            "kind": "sharing",
            "recipient": w.institution.name,
            "status": "given",
            "signed_on": today - dt.timedelta(days=5),
            "signer_name": "哨兵签署人",
            "signer_relation": "grandparent",
            "child_assent": "given",
            "note": "",
        },
        scan=_jpeg_upload(),
    )
    # A closure request of another 山东村 child, waiting for the supervisor.
    w.closure_child = factories.ChildFactory(
        name="哨兵丁", village=w.shandong, registered_on=today - dt.timedelta(days=200)
    )
    w.closure = closure_services.closure_request_create(
        actor=director,
        child=w.closure_child,
        reason="moved_out",
        closed_on=today - dt.timedelta(days=1),
        note="SENTINEL-CLOSURE-NOTE 迁出",
    )
    w.referral = care_services.referral_create(
        actor=ls_sup,
        child=w.child,
        institution=w.institution,
        reason="SENTINEL-REFERRAL-REASON 测评阳性",
        referred_on=today - dt.timedelta(days=2),
        guardian_consent=True,
    )
    w.mentor = care_services.mentor_save(
        actor=w.county_admin,
        data={
            "name": "矩阵老师",
            "kind": care_choices.MentorType.TEACHER,
            "organisation": "龙胜中学",
            "phone": "13812340000",
            "note": "",
            "is_active": True,
        },
    )
    w.pairing = care_services.pairing_create(
        actor=ls_sup,
        child=w.child,
        mentor=w.mentor,
        started_on=today - dt.timedelta(days=2),
        interval_days=30,
        note="SENTINEL-PAIRING-NOTE 每月谈心",
    )
    w.follow_up = care_services.follow_up_record(
        actor=ls_sup,
        pairing=w.pairing,
        followed_on=today - dt.timedelta(days=1),
        by_name="矩阵老师",
        condition="SENTINEL-FOLLOWUP 情绪平稳",
    )

    # --- a service delivered under the plan, and a mandatory report (强制报告)
    w.session = care_services.session_record(
        actor=director,
        plan=w.plan,
        data={
            "delivered_on": today - dt.timedelta(days=1),
            "kind": care_choices.SessionKind.COMFORT,
            "delivered_by": care_choices.DeliveredBy.STAFF,
            "provider_name": "矩阵主任",
            "duration_minutes": 40,
            "notes": "SENTINEL-SESSION-NOTES 谈心",
        },
    )
    w.incident = care_services.incident_record(
        actor=ls_sup,
        child=w.child,
        data={
            "kind": care_choices.IncidentKind.NEGLECT,
            "occurred_on": today - dt.timedelta(days=2),
            "description": "SENTINEL-INCIDENT-DESCRIPTION 长期无人照料",
            "reported_to": care_choices.ReportedTo.CIVIL_AFFAIRS,
            "reported_on": today - dt.timedelta(days=1),
            "reported_by_name": "王督导",
            "reference_number": "SENTINEL-INCIDENT-REF",
        },
    )

    # --- township records: partner, activity with a photo, purchased service, training, report
    w.campaign = Campaign.objects.filter(year=today.year).first() or Campaign.objects.create(
        year=today.year,
        start_date=dt.date(today.year, 5, 15),
        end_date=dt.date(today.year, 6, 10),
        report_deadline=dt.date(today.year, 6, 4),
    )
    w.partner = activity_services.partner_create(
        actor=ls_sup,
        data={
            "name": "矩阵社工服务中心",
            "kind": PartnerKind.SOCIAL_ORGANISATION,
            "credit_code": "",
            "contact_person": "",
            "contact_phone": "",
            "address": "",
            "note": "",
        },
    )
    w.activity = activity_services.activity_create(
        actor=ls_sup,
        data={
            "campaign": w.campaign,
            "township": w.ls,
            "title": "SENTINEL-ACTIVITY 六一游园",
            "start_date": dt.date(today.year, 5, 30),
            "end_date": dt.date(today.year, 5, 30),
            "place": "文化广场",
            "brand": "龙脊润心",
        },
        formats=[ActivityForm.LIGHT_UP_JUNE_FIRST],
        leaders=[activity_services.LeaderData("王书记", "镇党委书记", LeaderLevel.TOWNSHIP)],
        partners=[w.partner],
        children=[w.child],
    )
    (w.photo,) = activity_services.activity_photos_add(
        actor=ls_sup, activity=w.activity, files=[("p.png", _png())], caption="SENTINEL-PHOTO"
    )
    w.service = activity_services.purchased_service_create(
        actor=ls_sup,
        data={
            "campaign": w.campaign,
            "township": w.ls,
            "organisation": w.partner,
            "content": "SENTINEL-SERVICE 个案心理辅导",
            "start_date": dt.date(today.year, 5, 15),
            "end_date": dt.date(today.year, 12, 31),
            "amount": "48000.00",
            "other_children_count": 3,
        },
        children=[w.child],
    )
    w.training = activity_services.training_create(
        actor=ls_sup,
        data={
            "campaign": w.campaign,
            "township": w.ls,
            "kind": "training",
            "date": dt.date(today.year, 5, 18),
            "topic": "SENTINEL-TRAINING 儿童心理危机识别",
            "trainer": "覃医生",
            "hours": "3.0",
        },
        attendees=[director],
    )
    township = {"campaign": w.campaign, "township": w.ls}
    w.notice_plan = notice_services.plan_save(
        actor=ls_sup,
        data=township
        | {
            "title": "SENTINEL-NOTICE-PLAN 活动方案",
            "content": "方案要点",
            "reported_to_party_on": today,
        },
    )
    w.notice_story = notice_services.story_save(
        actor=ls_sup,
        data=township
        | {"title": "SENTINEL-NOTICE-STORY 励志故事", "role_model": "小李", "story": "成长故事"},
    )
    w.notice_need = notice_services.need_save(
        actor=ls_sup,
        data=township
        | {
            "kind": "counselling",
            "description": "SENTINEL-NOTICE-NEED 心理咨询",
            "child": w.child,
            "found_on": today,
        },
    )
    w.report = report_services.report_submit(
        actor=ls_sup,
        campaign=w.campaign,
        township=w.ls,
        data={"featured_practices": "SENTINEL-REPORT 特色做法"},
    )
    w.report_version = w.report.versions.get(number=1)
    return w


# --- the outer transaction around a module's tests -------------------------------------------


def world_fixture(django_db_blocker, *, harvest: bool = True):
    """Generator for a module-scoped fixture: build the world in a transaction that every
    test of the module nests into (a savepoint each), and roll it back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        # Marked like TestCase's own blocks, so code inside behaves as under TestCase.
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            world = build_world()
            world.payloads = harvest_payloads(world) if harvest else {}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- snapshots: "the database is unchanged" --------------------------------------------------

# Written on every read and every refusal by design (audit), or by the session machinery.
SNAPSHOT_EXCLUDED = {"accounts.accesslog"}
SNAPSHOT_APPS = (
    "accounts",
    "children",
    "notifications",
    "visits",
    "care",
    "activities",
    "reports",
    "fieldwork",
)


def _snapshot_tables() -> list[str]:
    tables = []
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower in SNAPSHOT_EXCLUDED or model._meta.proxy:
                continue
            tables.append(model._meta.db_table)
    return sorted(set(tables))


WORLD_RECORDS = (
    "child",
    "transfer",
    "visit",
    "attachment",
    "screening",
    "alert",
    "notification",
    "plan",
    "draft_plan",
    "submitted_plan",
    "consent",
    "closure",
    "referral",
    "pairing",
    "follow_up",
    "session",
    "incident",
    "household",
    "institution",
    "mentor",
    "partner",
    "activity",
    "photo",
    "service",
    "training",
    "notice_plan",
    "notice_story",
    "notice_need",
    "report",
    "report_version",
)


def snapshot(world) -> dict:
    """Row counts of every domain table (one query) and every column of the world's records."""
    tables = _snapshot_tables()
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    rows = {}
    for name in WORLD_RECORDS:
        obj = getattr(world, name)
        rows[name] = type(obj).objects.filter(pk=obj.pk).values().first()
    return {"counts": counts, "rows": rows}


def snapshot_diff(before: dict, after: dict) -> list[str]:
    changes = [
        f"{table}: {before['counts'][table]} → {after['counts'][table]} rows"
        for table in before["counts"]
        if before["counts"][table] != after["counts"][table]
    ]
    for name, row in before["rows"].items():
        other = after["rows"][name]
        if row != other:
            fields = sorted(k for k in row if other is None or row[k] != other.get(k))
            changes.append(f"{name} changed: {fields}")
    return changes


# --- what a response shows -------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fetch(client, url):
    """GET ``url`` as a browser would, and when it starts a background job (an export: the
    tests run jobs inline), the job's result file as well: what the person gets to read."""
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/jobs/"):
        return downloaded(client, response)
    return client.get(url, follow=True)


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response once the content is read, with the signal
        # that would close the database connection (and so our transaction) disconnected;
        # closing it again here would end the world's transaction on PostgreSQL.
        return b"".join(response.streaming_content)
    return response.content


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet of a workbook, one per line."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    finally:
        workbook.close()


def leaked(response, sentinels) -> list[str]:
    """The sentinels found in a response: raw bytes, JSON-escaped, and inside workbooks."""
    content = response_bytes(response)
    haystacks = [content]
    if response.get("Content-Type", "").startswith(XLSX) or content[:2] == b"PK":
        try:
            haystacks.append(xlsx_text(content).encode())
        except Exception:  # not a workbook after all (a zip of something else)
            haystacks.append(b"")
    found = []
    for sentinel in sentinels:
        forms = {sentinel.encode(), json.dumps(sentinel)[1:-1].encode()}
        if any(form in hay for form in forms for hay in haystacks):
            found.append(sentinel)
    return found


# --- HTML forms as a browser submits them ----------------------------------------------------


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every control, disabled ones too
    disabled: set[str] = field(default_factory=set)  # shown, never submitted
    files: set[str] = field(default_factory=set)

    def data(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        return data


class _FormParser(HTMLParser):
    """Collects each <form>'s successful controls with their current values: checked boxes,
    selected options (the first one of a single select when none is selected), textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            form.names.add(name)
            if "disabled" in a:
                form.disabled.add(name)
                return
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                form.files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value") or "on"))
            else:
                form.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            form.names.add(name)
            self._select = {
                "name": name,
                "multiple": "multiple" in a,
                "disabled": "disabled" in a,
                "options": [],
            }
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = {"name": name, "text": "", "disabled": "disabled" in a}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            if form is None:
                return
            if select["disabled"]:
                form.disabled.add(select["name"])
                return
            options = select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not select["multiple"] and options:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                form.fields.append((select["name"], value.strip()))
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            if form is not None and area["disabled"]:
                form.disabled.add(area["name"])
            elif form is not None:
                # A browser drops the one newline right after <textarea>.
                form.fields.append((area["name"], area["text"].removeprefix("\n")))


def html_forms(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def post_forms_for(html: str, page_path: str) -> dict[str, HtmlForm]:
    """The page's POST forms keyed by the path they post to."""
    found = {}
    for form in html_forms(html):
        if form.method != "post":
            continue
        target = urlsplit(form.action).path if form.action else page_path
        found.setdefault(target, form)
    return found


def form_posting_to(client: Client, page_url: str, target_path: str | None = None) -> HtmlForm:
    """GET a page and return the form that posts to ``target_path`` (default: the page)."""
    response = client.get(page_url)
    assert response.status_code == 200, (page_url, response.status_code)
    forms = post_forms_for(response.content.decode(), urlsplit(page_url).path)
    target = target_path or urlsplit(page_url).path
    assert target in forms, (page_url, target, sorted(forms))
    return forms[target]


def harvest_payloads(world) -> dict[str, dict[str, list[str]]]:
    """A valid-looking POST body for each scoped URL: the form the portal itself renders for
    it to a user of 龙胜镇 (supervisor first, then the county admin for the review forms), so
    that an outsider's POST in the matrix is the real request, not an empty one."""
    from tests.security.urlwalk import walk

    payloads: dict[str, dict[str, list[str]]] = {}
    for user in (world.ls_supervisor, world.county_admin, world.shandong_director):
        client = Client()
        client.force_login(user)
        for endpoint in walk():
            rule = IDOR_TARGETS.get(endpoint.name or "")
            if rule is None or not endpoint.allows("get"):
                continue
            url = reverse(endpoint.name, kwargs=target_kwargs(endpoint, rule, world))
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for path, form in post_forms_for(response.content.decode(), url).items():
                payloads.setdefault(path, form.data())
    # Complete what the rendered forms leave for a person to choose (radio buttons, required
    # texts), and attempt what an empty form would not: move the child into the attacker's
    # own village, reopen it, close the alert, approve the visit.
    today = world.today.isoformat()
    child_page = world.child.pk
    states = {f"{p}_state": ["good"] for p in ("emotion", "study", "life", "safety")}
    answers = {f"item_{n}": ["0"] for n in get_instrument("PHQA").item_numbers}
    overrides = {
        reverse("children:transfer", args=[child_page]): {
            "to_village": [str(world.pd_village.pk)],
            "reason": ["转入平等镇"],
        },
        reverse("children:reopen", args=[child_page]): {"note": ["恢复在册"]},
        # Decide the waiting transfer: accept it, return it, withdraw it.
        reverse("children:transfer_accept", args=[world.transfer.pk]): {
            "accept-version": [str(world.transfer.version)],
            "accept-note": ["同意接收"],
        },
        reverse("children:transfer_reject", args=[world.transfer.pk]): {
            "reject-version": [str(world.transfer.version)],
            "reject-note": ["不在本村"],
        },
        reverse("children:transfer_cancel", args=[world.transfer.pk]): {
            "cancel-version": [str(world.transfer.version)],
            "cancel-note": ["误报"],
        },
        reverse("visits:create", args=[child_page]): {
            "date": [today],
            "kind": ["home"],
            "visitor": [str(world.shandong_director.pk)],
            **states,
        },
        reverse("visits:review", args=[world.visit.pk]): {"decision": ["approve"]},
        reverse("care:alert_detail", args=[world.alert.pk]): {
            "actions": ["guardian_informed"],
            "note": ["已联系监护人，安排心理辅导老师每周跟进。"],
        },
        reverse("care:plan_create", args=[child_page]): {
            "goals": ["稳定情绪"],
            "measures": ["每周辅导"],
            "responsible_name": ["王督导"],
            "started_on": [today],
            "review_on": [(world.today + dt.timedelta(days=30)).isoformat()],
            "services": [care_choices.CareService.COUNSELLING],
        },
        reverse("care:referral_create", args=[child_page]): {
            "institution": [str(world.institution.pk)],
            "reason": ["再次转介"],
            "referred_on": [today],
        },
        reverse("care:plan_submit", args=[world.draft_plan.pk]): {
            "version": [str(world.draft_plan.version)]
        },
        reverse("care:plan_decide", args=[world.submitted_plan.pk]): {
            "version": [str(world.submitted_plan.version)],
            "decision": ["approve"],
            "comment": [""],
        },
        reverse("children:consent_create", args=[child_page]): {
            "kind": ["sharing"],
            "recipient": ["矩阵中学"],
            "status": ["given"],
            "signed_on": [today],
            "signer_name": ["矩阵监护人"],
            "signer_relation": ["grandparent"],
            "child_assent": ["given"],
        },
        reverse("children:consent_edit", args=[world.consent.pk]): {"note": ["矩阵备注"]},
        reverse("children:consent_withdraw", args=[world.consent.pk]): {
            "withdrawn_on": [today],
            "note": ["监护人撤回"],
        },
        reverse("children:closure_detail", args=[world.closure.pk]): {
            "decision": ["approve"],
            "comment": ["同意"],
        },
        reverse("care:pairing_create", args=[child_page]): {
            "mentor": [str(world.mentor.pk)],
            "started_on": [today],
            "interval_days": ["30"],
        },
        reverse("care:followup_create", args=[world.pairing.pk]): {
            "followed_on": [today],
            "by_name": ["矩阵老师"],
            "condition": ["按时上学"],
        },
        reverse("care:referral_status", args=[world.referral.pk]): {
            "to_status": [world.referral.allowed_next[0]],
            "changed_on": [today],
            "reason": ["机构已接收"],
        },
        reverse("care:screening_create", args=[child_page]): {
            "instrument": ["PHQA"],
            "respondent": ["self"],
            "screened_on": [today],
            **answers,
        },
        # Edits: change one text, so that a save would show in the row.
        reverse("children:edit", args=[child_page]): {"address": ["矩阵修改地址"]},
        reverse("visits:edit", args=[world.visit.pk]): {"co_visitors": ["矩阵同行"]},
        reverse("care:plan_edit", args=[world.plan.pk]): {"status_note": ["矩阵复核"]},
        reverse("care:referral_edit", args=[world.referral.pk]): {"feedback": ["矩阵反馈"]},
        reverse("care:pairing_edit", args=[world.pairing.pk]): {"note": ["矩阵帮扶"]},
        reverse("visits:household_create", args=[world.household.pk]): {
            "date": [today],
            "kind": ["home"],
            "visitor": [str(world.shandong_director.pk)],
            "members": [str(world.child.pk)],
            **states,
        },
        reverse("children:household_edit", args=[world.household.pk]): {
            "name": ["矩阵户"],
            "members": [str(world.child.pk)],
        },
        reverse("children:household_guardian", args=[world.household.pk]): {
            "guardian_name": ["矩阵监护人"],
        },
        reverse("children:household_create", args=[child_page]): {
            "name": ["矩阵户"],
            "guardian_name": ["矩阵监护人"],
            "members": [str(world.child.pk)],
        },
        reverse("care:session_create", args=[world.plan.pk]): {
            "delivered_on": [today],
            "kind": ["comfort"],
            "delivered_by": ["staff"],
            "provider_name": ["矩阵主任"],
            "duration_minutes": ["30"],
        },
        reverse("care:session_edit", args=[world.session.pk]): {"notes": ["矩阵服务"]},
        reverse("care:incident_create", args=[child_page]): {
            "kind": ["abuse"],
            "occurred_on": [today],
            "description": ["矩阵登记"],
            "reported_to": ["police"],
            "reported_on": [today],
            "reported_by_name": ["矩阵"],
            "status": ["reported"],
        },
        reverse("care:incident_edit", args=[world.incident.pk]): {"outcome": ["矩阵结果"]},
        **{
            reverse(f"reports:{action}", args=[world.campaign.year, world.ls.pk]): {
                "comment": ["请补充活动照片后重新报送。"]
            }
            for action in ("return", "accept", "reopen")
        },
    }
    for path, body in overrides.items():
        payloads[path] = {**payloads.get(path, {}), **body}
    return payloads


def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
