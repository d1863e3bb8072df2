"""Every URL of the site is classified; a new, unclassified URL fails here.

Walking the URL resolver (tests/security/urlwalk.py), each pattern is one of:

- ``public``: reachable without signing in (the login page);
- ``login``: any signed-in user (home, password change, logout, the second-factor steps,
  the language switch);
- ``permission:<app.perm>``: a page of the whole county or of the user's own area that needs
  a permission (``a|b``: either); checked below: a signed-in user without it gets 403;
- ``scoped:<rule>``: takes the id of an area-scoped record; ``rule`` names the record it is
  looked up as, and every such URL is in the IDOR matrix (test_idor_matrix.py) with that rule;
- ``owner:<record>``: takes the id of a record that belongs to one user (a background job and
  its result file); any other user, whatever their role, gets 404 (tests/jobs/test_views.py
  walks every such URL);
- ``admin``: the Django admin, county admin only (``is_staff`` is given to that role alone;
  Django admin permissions and scoped ``get_queryset``).

Records of county-wide directories (mentors, institutions, campaigns) take an id but are not
area-scoped: they are ``permission:`` pages; the mentor page lists paired children, which the
IDOR matrix checks for leaks.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from tests import factories
from tests.security.fixtures_matrix import IDOR_TARGETS
from tests.security.urlwalk import walk

ADMIN = "admin"

CLASSES = {
    # --- public and any signed-in user
    "accounts:login": "public",
    "home": "login",
    # The language switch: for signed-in users (LoginRequiredMiddleware; the OTP step too).
    "set_language": "login",
    "accounts:logout": "login",
    "accounts:password_change": "login",
    "accounts:otp_verify": "login",
    "accounts:otp_setup": "login",
    # --- accounts
    "accounts:access_log": "permission:children.view_access_log",
    "accounts:user_list": "permission:accounts.manage_users",
    "accounts:director_import": "permission:accounts.manage_users",
    "accounts:director_import_template": "permission:accounts.manage_users",
    "accounts:village_list": "permission:accounts.change_village",
    "accounts:village_load": "permission:accounts.change_village",
    # --- the ledger
    "children:list": "permission:children.view_child",
    "children:create": "permission:children.add_child",
    "children:import": "permission:children.import_ledger",
    "children:import_template": "permission:children.import_ledger",
    "children:export": "permission:children.export_ledger",
    "children:detail": "scoped:child",
    "children:edit": "scoped:child",
    "children:reveal": "scoped:child",
    "children:close": "scoped:child",
    "children:reopen": "scoped:child",
    "children:transfer": "scoped:child",
    # Transfers: seen by the sending and the receiving area (accounts.scoping
    # TwoAreaScopedQuerySet); the list and its export are the user's own area's.
    "children:transfer_list": "permission:children.view_childtransfer",
    "children:transfer_export": "permission:children.export_ledger",
    "children:transfer_detail": "scoped:transfer",
    "children:transfer_accept": "scoped:transfer",
    "children:transfer_reject": "scoped:transfer",
    "children:transfer_cancel": "scoped:transfer",
    "children:handover": "permission:children.handover_caseload",
    "children:orphans": "permission:children.handover_caseload",
    "children:household_list": "permission:children.view_household",
    "children:household_create": "scoped:child",
    "children:household_detail": "scoped:household",
    "children:household_edit": "scoped:household",
    "children:household_guardian": "scoped:household",
    "children:consent_create": "scoped:child",
    "children:consent_edit": "scoped:consent",
    "children:consent_withdraw": "scoped:consent",
    "children:consent_scan": "scoped:consent",
    "children:closure_detail": "scoped:closure",
    # Villages are county-wide reference data; 撤并/拆分 is the county admin's alone.
    # County-wide: the county center's list of numbers entered outside their child's area;
    # answered by a POST of the same page naming the request in its body (no id in the URL).
    "children:duplicate_checks": "permission:children.view_duplicatecheck",
    "children:village_merge": "permission:accounts.merge_village",
    "children:village_split": "permission:accounts.merge_village",
    # --- visits
    "visits:list": "permission:visits.view_visit",
    "visits:pending": "permission:visits.review_visit",
    "visits:overdue": "permission:visits.view_visit",
    "visits:due_week": "permission:visits.view_visit",
    "visits:rules": "permission:visits.view_visitrule",
    "visits:create": "scoped:child",
    "visits:household_create": "scoped:household",
    "visits:detail": "scoped:visit",
    "visits:edit": "scoped:visit",
    "visits:review": "scoped:visit",
    "visits:attachment_add": "scoped:visit",
    "visits:attachment": "scoped:attachment",
    "visits:attachment_delete": "scoped:attachment",
    # --- care
    "care:index": "permission:care.view_screening",
    "care:due_list": "permission:care.view_careplan|care.view_pairing",
    "care:screening_list": "permission:care.view_screening",
    "care:screening_detail": "scoped:screening",
    "care:screening_create": "scoped:child",
    "care:alert_list": "permission:care.view_safetyalert",
    "care:alert_detail": "scoped:alert",
    "care:settings": "permission:care.change_caresettings",
    "care:cutoff_review": "permission:care.change_caresettings",
    "care:plan_list": "permission:care.view_careplan",
    "care:plan_detail": "scoped:plan",
    "care:plan_edit": "scoped:plan",
    "care:plan_submit": "scoped:draft_plan",
    "care:plan_decide": "scoped:submitted_plan",
    "care:approvals": "permission:care.approve_careplan",
    "care:approvals_export": "permission:care.approve_careplan",
    "care:plan_create": "scoped:child",
    "care:referral_list": "permission:care.view_referral",
    "care:referral_detail": "scoped:referral",
    "care:referral_edit": "scoped:referral",
    "care:referral_status": "scoped:referral",
    "care:referral_create": "scoped:child",
    "care:institution_list": "permission:care.view_institution",
    "care:institution_create": "permission:care.add_institution",
    "care:institution_edit": "permission:care.change_institution",  # county-wide register
    "care:mentor_list": "permission:care.view_mentor",
    "care:mentor_create": "permission:care.add_mentor",
    "care:mentor_detail": "permission:care.view_mentor",  # county-wide; children scoped
    "care:mentor_edit": "permission:care.change_mentor",
    "care:pairing_list": "permission:care.view_pairing",
    "care:pairing_detail": "scoped:pairing",
    "care:pairing_edit": "scoped:pairing",
    "care:followup_create": "scoped:pairing",
    "care:pairing_create": "scoped:child",
    "care:session_list": "permission:care.view_servicesession",
    "care:session_create": "scoped:plan",
    "care:session_edit": "scoped:session",
    "care:incident_list": "permission:care.view_incident",
    "care:incident_create": "scoped:child",
    "care:incident_detail": "scoped:incident",
    "care:incident_edit": "scoped:incident",
    # --- activities
    "activities:list": "permission:activities.view_activity",
    "activities:create": "permission:activities.add_activity",
    "activities:detail": "scoped:activity",
    "activities:edit": "scoped:activity",
    "activities:photo_upload": "scoped:activity",
    "activities:photo": "scoped:photo",
    "activities:photo_thumb": "scoped:photo",
    # The child picker: view_child and any right to record participants or children served.
    "activities:child_search": "permission:activities.add_activity|activities.change_activity"
    "|activities.add_purchasedservice|activities.change_purchasedservice",
    "activities:village_children": "permission:activities.add_activity"
    "|activities.change_activity|activities.add_purchasedservice"
    "|activities.change_purchasedservice",
    "activities:campaign_list": "permission:activities.view_campaign",
    "activities:campaign_create": "permission:activities.add_campaign",
    "activities:campaign_edit": "permission:activities.change_campaign",  # county-wide
    "activities:partner_list": "permission:activities.view_partnerorganisation",
    "activities:partner_create": "permission:activities.add_partnerorganisation",
    "activities:partner_edit": "scoped:partner",
    "activities:service_list": "permission:activities.view_purchasedservice",
    "activities:service_create": "permission:activities.add_purchasedservice",
    "activities:service_detail": "scoped:service",
    "activities:service_edit": "scoped:service",
    "activities:training_list": "permission:activities.view_training",
    "activities:training_create": "permission:activities.add_training",
    "activities:training_detail": "scoped:training",
    "activities:training_edit": "scoped:training",
    "activities:plan_list": "permission:activities.view_activityplan",
    "activities:plan_create": "permission:activities.add_activityplan",
    "activities:plan_edit": "scoped:notice_plan",
    "activities:story_list": "permission:activities.view_rolemodelstory",
    "activities:story_create": "permission:activities.add_rolemodelstory",
    "activities:story_edit": "scoped:notice_story",
    "activities:need_list": "permission:activities.view_needfound",
    "activities:need_create": "permission:activities.add_needfound",
    "activities:need_edit": "scoped:notice_need",
    # --- notifications: one's own inbox (another's notification is 404), the send log
    "notifications:inbox": "login",
    "notifications:read_all": "login",
    "notifications:open": "scoped:notification",
    "notifications:delivery_list": "permission:notifications.view_delivery",
    # --- reports
    "reports:index": "permission:reports.view_townshipreport",
    "reports:dashboard": "permission:reports.view_dashboard",
    "reports:rollup": "permission:reports.review_report",
    "reports:county_export": "permission:reports.review_report",
    "reports:township": "scoped:township-report",
    "reports:township_export": "scoped:township-report",
    "reports:version": "scoped:report-version",
    "reports:return": "scoped:township-report",
    "reports:accept": "scoped:township-report",
    "reports:reopen": "scoped:township-report",
    # --- offline field work: the app, its manifest and service worker (public: no data),
    # the caseload (the user's own area) and sync (the entry's record read from the user's
    # area, 404 outside it: tests/security/test_idor_matrix.py::test_offline_sync_*)
    "fieldwork:manifest": "public",
    "fieldwork:service_worker": "public",
    "fieldwork:app": "permission:fieldwork.work_offline",
    "fieldwork:caseload": "permission:fieldwork.work_offline",
    "fieldwork:sync": "permission:fieldwork.work_offline",
    # --- background jobs: the owner's alone
    "jobs:list": "login",
    "jobs:detail": "owner:job",
    "jobs:progress": "owner:job",
    "jobs:download": "owner:job",
    "jobs:retry": "owner:job",
}

ENDPOINTS = walk()


def is_admin(endpoint) -> bool:
    return (endpoint.name or "").startswith("admin:") or endpoint.route.startswith("admin/")


def classify(endpoint) -> str | None:
    if is_admin(endpoint):
        return ADMIN
    return CLASSES.get(endpoint.name or "")


def endpoints_of(kind: str) -> list:
    return [e for e in ENDPOINTS if (classify(e) or "").split(":", 1)[0] == kind]


def test_every_url_is_classified():
    unclassified = sorted(
        f"{e.name or '(unnamed)'}  {e.route}" for e in ENDPOINTS if not classify(e)
    )
    assert not unclassified, (
        "URL patterns without a class in tests/security/test_url_registry.py CLASSES "
        "(public, login, permission:<perm>, scoped:<rule> — and then add them to the IDOR "
        "matrix):\n  " + "\n  ".join(unclassified)
    )


def test_no_class_names_a_url_that_is_gone():
    names = {e.name for e in ENDPOINTS}
    assert not set(CLASSES) - names, sorted(set(CLASSES) - names)


def test_classes_are_well_formed():
    for name, kind in CLASSES.items():
        head, _, rest = kind.partition(":")
        assert head in {"public", "login", "permission", "scoped", "owner"}, (name, kind)
        assert bool(rest) == (head in {"permission", "scoped", "owner"}), (name, kind)


def test_urls_that_take_an_id_are_scoped_or_named_directories():
    """An id in the URL is a record id: scoped, unless it is a county-wide directory's."""
    directories = {
        "care:institution_edit",
        "care:mentor_detail",
        "care:mentor_edit",
        "activities:campaign_edit",
        "children:village_merge",
        "children:village_split",
        "reports:rollup",  # a year, not an id
        "reports:county_export",
    }
    for endpoint in ENDPOINTS:
        if endpoint.takes_id and not is_admin(endpoint) and endpoint.name not in directories:
            assert classify(endpoint).startswith(("scoped:", "owner:")), endpoint.name


def test_every_scoped_url_is_in_the_idor_matrix_with_its_rule():
    scoped = {e.name: CLASSES[e.name].split(":", 1)[1] for e in endpoints_of("scoped")}
    missing = sorted(set(scoped) - set(IDOR_TARGETS))
    assert not missing, f"scoped URLs missing from the IDOR matrix: {missing}"
    wrong = {n: (rule, IDOR_TARGETS[n]) for n, rule in scoped.items() if IDOR_TARGETS[n] != rule}
    assert not wrong, wrong
    assert set(IDOR_TARGETS) <= set(scoped), set(IDOR_TARGETS) - set(scoped)


def test_every_named_permission_exists(db):
    for endpoint in endpoints_of("permission"):
        for dotted in CLASSES[endpoint.name].split(":", 1)[1].split("|"):
            app_label, codename = dotted.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), (endpoint.name, dotted)


# --- the classes hold ------------------------------------------------------------------------


@pytest.fixture
def no_rights_user(db):
    """Signed in, with an area, and no permission at all (its groups taken away)."""
    user = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村", username="r-none"
    )
    user.groups.clear()
    return user


def _example(endpoint) -> str:
    if endpoint.name in ("reports:rollup", "reports:county_export"):
        return reverse(endpoint.name, args=[2026])
    return endpoint.example


@pytest.mark.parametrize(
    "endpoint", [e for e in endpoints_of("permission") if e.allows("get")], ids=lambda e: e.name
)
def test_permission_pages_refuse_a_user_without_the_permission(no_rights_user, endpoint):
    client = Client()
    client.force_login(no_rights_user)
    response = client.get(_example(endpoint))
    # 404 for a directory record that does not exist is as good a refusal as 403.
    assert response.status_code in (403, 404), (endpoint.name, response.status_code)


@pytest.mark.parametrize(
    "endpoint",
    [e for e in endpoints_of("login") if e.allows("get")],
    ids=lambda e: e.name,
)
def test_login_pages_open_to_any_signed_in_user(no_rights_user, endpoint):
    client = Client()
    client.force_login(no_rights_user)
    response = client.get(endpoint.example)
    assert response.status_code in (200, 302), (endpoint.name, response.status_code)
    if response.status_code == 302:
        assert urlsplit(response["Location"]).path != reverse("accounts:login")


@pytest.mark.parametrize("endpoint", endpoints_of("public"), ids=lambda e: e.name)
def test_public_pages_need_no_login(db, endpoint):
    response = Client().get(endpoint.example)
    location = urlsplit(response.get("Location", "")).path
    assert response.status_code == 200, response.status_code
    assert location != reverse("accounts:login")


def test_admin_is_for_the_county_admin_only(db):
    """A township supervisor (not staff) is sent to the admin's login from every admin URL."""
    supervisor = factories.make_user(
        Role.TOWNSHIP_SUPERVISOR, township_name="平等镇", username="r-pingdeng"
    )
    assert not supervisor.is_staff
    client = Client()
    client.force_login(supervisor)
    admin_login = reverse("admin:login")
    opened = []
    for endpoint in endpoints_of(ADMIN):
        if endpoint.example is None or endpoint.name in ("admin:login", "admin:logout"):
            continue
        response = client.get(endpoint.example)
        location = urlsplit(response.get("Location", "")).path
        if response.status_code not in (302, 404) or (
            response.status_code == 302 and location != admin_login
        ):
            opened.append((endpoint.route, response.status_code, location))
    assert not opened, opened
    county = factories.make_user(Role.COUNTY_ADMIN, username="r-county")
    assert county.is_staff
