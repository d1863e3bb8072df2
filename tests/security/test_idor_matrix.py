"""IDOR matrix: another area's records are absent, whatever the URL, method or role.

For every URL that takes the id of an area-scoped record (the list is checked complete by
test_url_registry) and every method (GET, HEAD, POST), as the 平等镇 supervisor and as the
南门村 child director, against the one record of each kind in 龙胜镇 山东村:

- the answer is 404, exactly as for a record that does not exist (never 403 or 405, which
  would confirm it exists); a method the view does not serve may answer 405 only if an
  absent id gets the same answer;
- the database is unchanged (row counts of every domain table and every column of the
  world's records; the POST is the form the portal renders for that URL to a 龙胜镇 user);
- no sentinel string of the other area is in the response.

Township records (activity, photo, service, training, partner, report) belong to 龙胜镇 as a
whole, so the 南门村 director may reach them by design: for those only "nothing changed,
no 山东村 sentinel" is asserted (e.g. an activity's page must not name a 山东村 participant).

Then every list, search, picker, dashboard and export page, with and without the other
area's ids in the query string, never shows a sentinel to those two users (workbooks are
read back with openpyxl, cell by cell).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.security import fixtures_matrix as m
from tests.security.urlwalk import walk

METHODS = ("get", "head", "post")
ENDPOINTS = {e.name: e for e in walk() if e.name in m.IDOR_TARGETS}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from m.world_fixture(django_db_blocker)


def _serves(endpoint, method: str) -> bool:
    return endpoint.allows("get" if method == "head" else method)


def _request(client, method: str, url: str, body=None):
    if method == "post":
        return client.post(url, body or {})
    return getattr(client, method)(url)


def test_every_target_url_exists():
    assert set(m.IDOR_TARGETS) <= set(ENDPOINTS), set(m.IDOR_TARGETS) - set(ENDPOINTS)
    # Each rule is a record of a village or of a township (which decides the 南门村
    # director's expected answer).
    rules = set(m.IDOR_TARGETS.values())
    assert rules <= m.VILLAGE_RULES | m.TOWNSHIP_RULES, rules - m.VILLAGE_RULES - m.TOWNSHIP_RULES


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_target_resolves_for_a_user_of_the_area(db, world, name):
    """The control: the 龙胜镇 supervisor reaches each record (not 404), so the 404s below
    are the scoping at work, not a wrong id."""
    endpoint, rule = ENDPOINTS[name], m.IDOR_TARGETS[name]
    url = reverse(name, kwargs=m.target_kwargs(endpoint, rule, world))
    response = m.user_client(world.ls_supervisor).get(url)
    assert response.status_code != 404, url
    assert response.status_code < 500, url


def test_payloads_were_harvested_for_the_edit_forms(db, world):
    """The POSTs are real forms: the main edit pages' forms were found and carry a version."""
    for name in ("children:edit", "visits:edit", "care:plan_edit", "care:referral_edit"):
        rule = m.IDOR_TARGETS[name]
        url = reverse(name, kwargs=m.target_kwargs(ENDPOINTS[name], rule, world))
        assert "version" in world.payloads.get(url, {}), url


CASES = [
    pytest.param(name, method, role, id=f"{name}-{method.upper()}-{role}")
    for name in sorted(ENDPOINTS)
    for method in METHODS
    for role in m.ROLES
]


@pytest.mark.parametrize(("name", "method", "role"), CASES)
def test_record_of_another_area_is_404_and_untouched(db, world, name, method, role):
    endpoint, rule = ENDPOINTS[name], m.IDOR_TARGETS[name]
    client = m.user_client(getattr(world, role))
    url = reverse(name, kwargs=m.target_kwargs(endpoint, rule, world))
    body = world.payloads.get(url, {}) if method == "post" else None

    before = m.snapshot(world)
    response = _request(client, method, url, body)
    after = m.snapshot(world)

    problems = []
    status = response.status_code
    in_own_township = role == "nanmen_director" and m.rule_level(rule) == "township"
    if in_own_township:
        if status >= 500:
            problems.append(f"answered {status}")
    elif _serves(endpoint, method):
        if status != 404:
            problems.append(f"answered {status} instead of 404")
    else:
        absent_url = reverse(name, kwargs=m.target_kwargs(endpoint, rule, world, absent=True))
        absent = _request(client, method, absent_url, body).status_code
        if status not in (404, 405) or status != absent:
            problems.append(f"answered {status} (an absent id: {absent})")
    changes = m.snapshot_diff(before, after)
    if changes:
        problems.append(f"database changed: {changes}")
    leaks = m.leaked(response, m.sentinels_for(world, role))
    if leaks:
        problems.append(f"leaked {leaks}")
    assert not problems, f"{method.upper()} {url} ({name}) as {role}: " + "; ".join(problems)


# --- lists, search, pickers, dashboards, exports ---------------------------------------------

# Pages that are not lists of records (or are the login/logout machinery).
NOT_LISTS = {"accounts:logout", "set_language", "accounts:login", "accounts:otp_verify"}
PLAIN_PAGES = sorted(
    e.name
    for e in walk()
    if e.name
    and not e.params
    and not e.name.startswith("admin:")
    and e.name not in NOT_LISTS
    and e.allows("get")
)


def _query(name, **params):
    return lambda w: reverse(name) + "?" + urlencode({k: v(w) for k, v in params.items()})


def _const(value):
    return lambda w: value


def _id_tail(w):
    return w.child.id_number[-6:]


SHANDONG = {"village": lambda w: w.shandong.pk}
LONGSHENG = {"township": lambda w: w.ls.pk}
SEARCH = {"q": _const("哨兵")}

# The other area's ids in the query string, and searches for the sentinel child.
QUERY_PAGES = {
    "ledger ?q=哨兵": _query("children:list", **SEARCH),
    "ledger ?q=pinyin": _query("children:list", q=_const("shaobing")),
    "ledger ?q=initials": _query("children:list", q=_const("sbj")),
    "ledger ?q=ID tail": _query("children:list", q=_id_tail),
    "ledger ?village=山东村": _query("children:list", **SHANDONG),
    "ledger ?township=龙胜镇": _query("children:list", **LONGSHENG),
    "ledger export ?q=哨兵": _query("children:export", **SEARCH),
    "ledger export ?township=龙胜镇": _query("children:export", **LONGSHENG),
    "ledger export ?village=山东村": _query("children:export", **SHANDONG),
    "ledger export reveal": _query("children:export", reveal=_const("1")),
    "import template ?township=龙胜镇": _query("children:import_template", **LONGSHENG),
    "transfers ?q=哨兵": _query("children:transfer_list", **SEARCH),
    "transfers ?direction=in": _query("children:transfer_list", direction=_const("in")),
    "transfers export ?q=哨兵": _query("children:transfer_export", **SEARCH),
    "handover ?from=山东村主任": _query(
        "children:handover", **{"from": lambda w: w.shandong_director.pk}
    ),
    "picker search ?q=哨兵": _query("activities:child_search", **SEARCH),
    "picker search ?q=pinyin": _query("activities:child_search", q=_const("shaobing")),
    "picker search ?q=ID tail": _query("activities:child_search", q=_id_tail),
    "picker village=山东村": _query("activities:village_children", **SHANDONG),
    "visits ?village=山东村": _query("visits:list", **SHANDONG),
    "visits ?township=龙胜镇": _query("visits:list", **LONGSHENG),
    "visits pending ?village=山东村": _query("visits:pending", **SHANDONG),
    "visits overdue ?village=山东村": _query("visits:overdue", **SHANDONG),
    "visits due ?township=龙胜镇": _query("visits:due_week", **LONGSHENG),
    "screenings ?q=哨兵": _query("care:screening_list", **SEARCH),
    "screenings ?village=山东村": _query("care:screening_list", **SHANDONG),
    "alerts all ?q=哨兵": _query("care:alert_list", status=_const(""), **SEARCH),
    "plans ?q=哨兵": _query("care:plan_list", **SEARCH),
    "plans ?township=龙胜镇": _query("care:plan_list", **LONGSHENG),
    "referrals ?q=哨兵": _query("care:referral_list", **SEARCH),
    "pairings ?village=山东村": _query("care:pairing_list", **SHANDONG),
    "offline caseload ?village=山东村": _query("fieldwork:caseload", **SHANDONG),
    "care due ?township=龙胜镇": _query("care:due_list", **LONGSHENG),
    "activities ?township=龙胜镇": _query("activities:list", **LONGSHENG),
    "services ?township=龙胜镇": _query("activities:service_list", **LONGSHENG),
    "trainings ?township=龙胜镇": _query("activities:training_list", **LONGSHENG),
    "dashboard ?campaign=year": _query("reports:dashboard", campaign=lambda w: w.campaign.year),
    "roll-up": lambda w: reverse("reports:rollup", args=[w.campaign.year]),
    "county workbook": lambda w: reverse("reports:county_export", args=[w.campaign.year]),
    "mentor page": lambda w: reverse("care:mentor_detail", args=[w.mentor.pk]),
    "institution edit": lambda w: reverse("care:institution_edit", args=[w.institution.pk]),
    "campaign edit": lambda w: reverse("activities:campaign_edit", args=[w.campaign.pk]),
}


def _own_child(w, role):
    return w.pd_child if role == "pingdeng_supervisor" else w.nanmen_child


# The outsiders' own pages, whose forms offer choices (villages, users, referrals, mentors).
OWN_PAGES = {
    "own report": lambda w, role: reverse(
        "reports:township", args=[w.campaign.year, getattr(w, role).township_id]
    ),
    "own report workbook": lambda w, role: reverse(
        "reports:township_export", args=[w.campaign.year, getattr(w, role).township_id]
    ),
    "own child": lambda w, role: reverse("children:detail", args=[_own_child(w, role).pk]),
    "own child edit": lambda w, role: reverse("children:edit", args=[_own_child(w, role).pk]),
    "own child transfer": lambda w, role: reverse(
        "children:transfer", args=[_own_child(w, role).pk]
    ),
    "own visit form": lambda w, role: reverse("visits:create", args=[_own_child(w, role).pk]),
    "own plan form": lambda w, role: reverse("care:plan_create", args=[_own_child(w, role).pk]),
    "own referral form": lambda w, role: reverse(
        "care:referral_create", args=[_own_child(w, role).pk]
    ),
    "own pairing form": lambda w, role: reverse(
        "care:pairing_create", args=[_own_child(w, role).pk]
    ),
    "own screening form": lambda w, role: reverse(
        "care:screening_create", args=[_own_child(w, role).pk]
    ),
}

LIST_CASES = [
    *[
        pytest.param("page", name, role, id=f"{name}-{role}")
        for name in PLAIN_PAGES
        for role in m.ROLES
    ],
    *[
        pytest.param("query", key, role, id=f"{key}-{role}")
        for key in QUERY_PAGES
        for role in m.ROLES
    ],
    *[pytest.param("own", key, role, id=f"{key}-{role}") for key in OWN_PAGES for role in m.ROLES],
]


def _list_url(kind, key, world, role):
    if kind == "page":
        return reverse(key)
    if kind == "query":
        return QUERY_PAGES[key](world)
    return OWN_PAGES[key](world, role)


@pytest.mark.parametrize(("kind", "key", "role"), LIST_CASES)
def test_lists_search_and_exports_show_nothing_of_another_area(db, world, kind, key, role):
    url = _list_url(kind, key, world, role)
    response = m.fetch(m.user_client(getattr(world, role)), url)
    assert response.status_code < 500, (url, response.status_code)
    leaks = m.leaked(response, m.sentinels_for(world, role))
    assert not leaks, f"GET {url} as {role} (status {response.status_code}) shows {leaks}"


@pytest.mark.parametrize(
    "key",
    [
        "ledger ?q=哨兵",
        "ledger export ?q=哨兵",
        "picker search ?q=哨兵",
        "visits ?village=山东村",
        "offline caseload ?village=山东村",
    ],
)
def test_the_same_pages_do_show_the_child_in_its_own_area(db, world, key):
    """The control: the 龙胜镇 supervisor finds 哨兵甲 there (in the workbook's cells too), so
    an empty answer above is the scoping, not a search that finds nothing."""
    response = m.fetch(m.user_client(world.ls_supervisor), QUERY_PAGES[key](world))
    assert response.status_code == 200
    assert m.CHILD_NAME in m.leaked(response, [m.CHILD_NAME])


def test_the_workbook_is_read_cell_by_cell(db, world):
    response = m.fetch(
        m.user_client(world.ls_supervisor), QUERY_PAGES["ledger export ?q=哨兵"](world)
    )
    content = m.response_bytes(response)
    assert m.CHILD_NAME.encode() not in content  # zipped: only the cell reading finds it
    assert m.CHILD_NAME in m.xlsx_text(content)


# The POSTs that write something when a user of the area sends them, by the county admin.
# Not: reveal (reads), uploads (need a file), reopen (the child is active), the township
# report's narratives (the report is submitted, hence locked, so return/accept/reopen work);
# a new household from the sentinel child, who is already in one (one household at most:
# tests/children/test_households.py makes one through this page).
NOT_WRITING = {
    "children:household_create",
    "children:reveal",
    "children:reopen",
    "visits:attachment_add",
    "activities:photo_upload",
    "reports:township",
}
WRITING_POSTS = sorted(
    name for name, e in ENDPOINTS.items() if e.allows("post") and name not in NOT_WRITING
)


@pytest.mark.parametrize("name", WRITING_POSTS)
def test_the_posted_forms_would_write_in_the_area(db, world, name):
    """The control: the same POST by a user of the area changes the database, so "unchanged"
    above means refused, not a form that could never have been saved."""
    endpoint, rule = ENDPOINTS[name], m.IDOR_TARGETS[name]
    url = reverse(name, kwargs=m.target_kwargs(endpoint, rule, world))
    before = m.snapshot(world)
    response = m.user_client(world.county_admin).post(url, world.payloads.get(url, {}))
    assert response.status_code == 302, (url, response.status_code)
    assert m.snapshot_diff(before, m.snapshot(world)), f"POST {url} wrote nothing"


# --- the other area's ids in one's own forms -------------------------------------------------


@dataclass(frozen=True)
class Injection:
    """A form of the user's own area, ``data`` filling it validly, ``bad`` pointing one choice
    into 龙胜镇 山东村 (``good`` is the valid value it replaces), and ``linked`` counting
    rows that tie the world's records to anything (must not grow)."""

    role: str
    page: Callable
    data: Callable
    bad: Callable
    good: Callable
    linked: Callable


def _injections() -> dict[str, Injection]:
    from activities.models import Participation, PurchasedService, Training
    from care.models import CarePlan, Pairing
    from children.models import Child
    from visits.models import Visit

    day = "2026-05-30"
    states = {f"{p}_state": "good" for p in ("emotion", "study", "life", "safety")}

    def new_child(w, village):
        birth = w.today.replace(year=w.today.year - 10)
        return {
            "name": "注入童",
            "sex": "M",
            "birth_date": birth.isoformat(),
            "id_number": m.factories.synthetic_id(birth, "M"),
            "township": village.township_id,
            "village": village.pk,
        }

    def visit(w):
        return {"date": w.today.isoformat(), "kind": "home", **states}

    pd, nm = "pingdeng_supervisor", "nanmen_director"
    return {
        "activity with a 山东村 participant": Injection(
            pd,
            lambda w: reverse("activities:create"),
            lambda w: {
                "title": "注入活动",
                "start_date": day,
                "end_date": day,
                "formats": "light_up_june_first",
            },
            lambda w: {"children": w.child.pk},
            lambda w: {"children": w.pd_child.pk},
            lambda w: Participation.objects.filter(child=w.child).count(),
        ),
        "purchased service for a 山东村 child": Injection(
            pd,
            lambda w: reverse("activities:service_create"),
            lambda w: {
                "organisation": w.partner.pk,
                "content": "注入服务",
                "start_date": day,
                "end_date": day,
                "amount": "100",
            },
            lambda w: {"children": w.child.pk},
            lambda w: {"children": w.pd_child.pk},
            lambda w: PurchasedService.objects.filter(children=w.child).count(),
        ),
        "training attended by the 山东村 director": Injection(
            pd,
            lambda w: reverse("activities:training_create"),
            lambda w: {
                "date": day,
                "topic": "注入培训",
                "trainer": "覃医生",
                "hours": "2",
                "supervisors_count": "1",
                "directors_count": "1",
                "others_count": "0",
            },
            lambda w: {"attendees": w.shandong_director.pk},
            lambda w: {"attendees": w.pingdeng_supervisor.pk},
            lambda w: Training.objects.filter(attendees=w.shandong_director).count(),
        ),
        "child with the 山东村 director responsible": Injection(
            pd,
            lambda w: reverse("children:create"),
            lambda w: new_child(w, w.pd_village),
            lambda w: {"responsible_director": w.shandong_director.pk},
            lambda w: {"responsible_director": ""},
            lambda w: Child.objects.filter(responsible_director=w.shandong_director).count(),
        ),
        "child registered into 山东村": Injection(
            pd,
            lambda w: reverse("children:create"),
            lambda w: new_child(w, w.pd_village),
            lambda w: {"township": w.ls.pk, "village": w.shandong.pk},
            lambda w: {},
            lambda w: Child.objects.filter(village=w.shandong).count(),
        ),
        "child registered into 山东村 by the 南门村 director": Injection(
            nm,
            lambda w: reverse("children:create"),
            lambda w: new_child(w, w.nanmen),
            lambda w: {"village": w.shandong.pk},
            lambda w: {},
            lambda w: Child.objects.filter(village=w.shandong).count(),
        ),
        "child with 哨兵甲's ID number": Injection(
            pd,
            lambda w: reverse("children:create"),
            lambda w: new_child(w, w.pd_village),
            lambda w: {"id_number": w.child.id_number},
            lambda w: {},
            lambda w: Child.objects.count(),
        ),
        "child with 哨兵甲's ID number by the 南门村 director": Injection(
            nm,
            lambda w: reverse("children:create"),
            lambda w: new_child(w, w.nanmen),
            lambda w: {"id_number": w.child.id_number},
            lambda w: {},
            lambda w: Child.objects.count(),
        ),
        "visit made by the 山东村 director": Injection(
            pd,
            lambda w: reverse("visits:create", args=[w.pd_child.pk]),
            visit,
            lambda w: {"visitor": w.shandong_director.pk},
            lambda w: {"visitor": w.pingdeng_supervisor.pk},
            lambda w: Visit.objects.filter(visitor=w.shandong_director).count(),
        ),
        "visit of a 南门村 child made by the 山东村 director": Injection(
            nm,
            lambda w: reverse("visits:create", args=[w.nanmen_child.pk]),
            visit,
            lambda w: {"visitor": w.shandong_director.pk},
            lambda w: {"visitor": w.nanmen_director.pk},
            lambda w: Visit.objects.filter(visitor=w.shandong_director).count(),
        ),
        "care plan with the 山东村 director responsible": Injection(
            pd,
            lambda w: reverse("care:plan_create", args=[w.pd_child.pk]),
            lambda w: {
                "goals": "注入",
                "measures": "注入",
                "responsible_name": "注入",
                "started_on": w.today.isoformat(),
                "review_on": w.today.replace(year=w.today.year + 1).isoformat(),
                "services": "counselling",
            },
            lambda w: {"responsible_user": w.shandong_director.pk},
            lambda w: {"responsible_user": w.pingdeng_supervisor.pk},
            lambda w: CarePlan.objects.filter(responsible_user=w.shandong_director).count(),
        ),
        "pairing on 哨兵甲's referral": Injection(
            pd,
            lambda w: reverse("care:pairing_create", args=[w.pd_child.pk]),
            lambda w: {
                "mentor": w.mentor.pk,
                "started_on": w.today.isoformat(),
                "interval_days": "30",
            },
            lambda w: {"referral": w.referral.pk},
            lambda w: {"referral": ""},
            lambda w: Pairing.objects.filter(referral=w.referral).count(),
        ),
    }


INJECTIONS = _injections()


def _injected_post(world, case: str, *, valid: bool):
    item = INJECTIONS[case]
    client = m.user_client(getattr(world, item.role))
    url = item.page(world)
    data = m.form_posting_to(client, url).data()
    chosen = item.good(world) if valid else item.bad(world)
    data.update({k: [str(v)] for k, v in {**item.data(world), **chosen}.items()})
    return url, data, client.post(url, data, follow=True)


@pytest.mark.parametrize("case", sorted(INJECTIONS))
def test_own_forms_refuse_another_areas_choices_without_naming_them(db, world, case):
    item = INJECTIONS[case]
    before = item.linked(world)
    url, data, response = _injected_post(world, case, valid=False)
    assert response.status_code < 500, (url, response.status_code)
    # The ID number typed in is shown back in the form: not a leak; the name and place are.
    typed = data.get("id_number", [])
    sentinels = [s for s in m.sentinels_for(world, item.role) if s not in typed]
    leaks = m.leaked(response, sentinels)
    assert not leaks, f"POST {url} as {item.role} ({case}) shows {leaks}"
    assert item.linked(world) == before, f"POST {url} as {item.role} ({case}) was saved"


@pytest.mark.parametrize("case", sorted(INJECTIONS))
def test_the_same_forms_save_with_a_choice_of_ones_own(db, world, case):
    """The control: with the one choice made valid the form saves (a redirect to the new
    record), so the refusal above is the scoping of that choice."""
    url, _data, response = _injected_post(world, case, valid=True)
    assert response.redirect_chain, (url, response.status_code, _form_errors(response))


def _form_errors(response):
    context = response.context or {}
    return {k: v.errors for k, v in context.items() if getattr(v, "errors", None)}


# --- offline sync: the record is named in the JSON body, not the URL ------------------------


def _offline_entry(world, kind: str) -> dict:
    """One queued entry of each kind, naming the 山东村 sentinel's child, pairing or visit."""
    import uuid

    from fieldwork.selectors import visit_values

    today = world.today.isoformat()
    entries = {
        "visit": {"child": world.child.pk, "data": m._visit_data(today) | {"problems": []}},
        "screening": {
            "child": world.child.pk,
            "data": {
                "instrument": "GAD7",
                "respondent": "self",
                "screened_on": today,
                "answers": {str(n): 0 for n in range(1, 8)},
            },
        },
        "follow_up": {
            "pairing": world.pairing.pk,
            "data": {"followed_on": today, "by_name": "外人", "condition": "外人随访"},
        },
        "visit_edit": {
            "visit": world.visit.pk,
            "version": world.visit.version,
            "base": visit_values(world.visit),
            "data": {"place": "外人改写"},
        },
    }
    return {"key": str(uuid.uuid4()), "kind": kind, **entries[kind]}


OFFLINE_KINDS = ("visit", "screening", "follow_up", "visit_edit")


def _sync(client, entry):
    import json

    return client.post(
        reverse("fieldwork:sync"), data=json.dumps(entry), content_type="application/json"
    )


@pytest.mark.parametrize("role", m.ROLES)
@pytest.mark.parametrize("kind", OFFLINE_KINDS)
def test_offline_sync_of_another_areas_record_is_404_and_untouched(db, world, kind, role):
    before = m.snapshot(world)
    response = _sync(m.user_client(getattr(world, role)), _offline_entry(world, kind))
    assert response.status_code == 404, (kind, role, response.status_code)
    assert not m.snapshot_diff(before, m.snapshot(world))
    assert not m.leaked(response, m.sentinels_for(world, role))


@pytest.mark.parametrize("kind", OFFLINE_KINDS)
def test_offline_sync_by_a_user_of_the_area_writes(db, world, kind):
    """The control: the same entry from the 山东村 director is written (visit_edit: merged),
    so the 404 above is the scoping, not an entry that could never be saved."""
    before = m.snapshot(world)
    response = _sync(m.user_client(world.shandong_director), _offline_entry(world, kind))
    assert response.status_code in (200, 201), response.content
    assert m.snapshot_diff(before, m.snapshot(world))
