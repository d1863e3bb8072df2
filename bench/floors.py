"""The floors: the same figures as the portal's pages, computed as directly as we know how.

* ``dashboard_sql``: every aggregate of the county dashboard (reports.dashboards.build for a
  county user) as ONE hand-written PostgreSQL statement.
* ``township_sql``: the heavy figures of a township's report (reports.figures.township_figures:
  ledger, circumstances, screening, alerts, plans, referrals, pairings, visits, activity
  beneficiaries) as ONE statement. Activity name/brand/leader lists are left out (a few rows).
* ``export_floor``: openpyxl write-only writing the ledger's rows from a plain ``values_list``.

``check_*`` compare the figures of each floor with the portal's (the township's: every figure
its statement computes), so a floor that computes something else is caught rather than
reported as a fast result. The township floor takes its figures as of the campaign's end or
later, as the benchmark does (a date inside the campaign would cut its periods at that date).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.db import connection
from django.utils import timezone

from children.choices import BenefitCategory, RiskLevel
from reports.figures import coverage
from visits import schedule


def run(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _next_due_sql(rules, alias: str = "a", last: str = "l.d") -> tuple[str, list]:
    """next_visit_due of visits/schedule.py as SQL (intervals and first-visit offsets
    inlined as parameters, read once, outside the timing)."""
    offsets = schedule.working_day_offsets(rules.first_visit_working_days)
    interval = "CASE {a}.risk_level " + " ".join("WHEN %s THEN %s" for _ in RiskLevel.values)
    interval += " ELSE %s END"
    first = "CASE extract(isodow FROM {a}.registered_on)::int "
    first += " ".join("WHEN %s THEN %s" for _ in offsets) + " END"
    sql = (
        f"CASE WHEN {last} IS NULL THEN {{a}}.registered_on + ({first}) "
        f"ELSE {last} + ({interval}) END"
    ).format(a=alias)
    params: list = []
    for weekday, offset in offsets.items():
        params += [weekday, offset]
    for level in RiskLevel.values:
        params += [level, rules.interval(level)]
    params.append(rules.interval(RiskLevel.YELLOW))
    return sql, params


def dashboard_sql(campaign, conn=None) -> tuple[str, list]:
    today = timezone.localdate()
    start, end = campaign.start_date, campaign.end_date
    rules = schedule.load_rules()
    due_sql, due_params = _next_due_sql(rules)
    risk_cols = ", ".join(
        f"count(*) FILTER (WHERE risk_level = '{code}') AS {code}" for code in RiskLevel.values
    )
    sql = f"""
WITH active AS (
  SELECT id, township_id, risk_level, registered_on FROM children_child WHERE status = 'active'
),
circ AS (
  SELECT a.township_id, cc.code, count(DISTINCT cc.child_id) AS n
  FROM children_childcircumstance cc JOIN active a ON a.id = cc.child_id GROUP BY 1, 2
),
risk AS (SELECT count(*) AS total, {risk_cols} FROM active),
cover AS (
  SELECT a.township_id, count(*) AS children,
         count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM care_screening s
           WHERE s.child_id = a.id AND s.screened_on BETWEEN %s AND %s)) AS screened
  FROM active a GROUP BY 1
),
alerts AS (
  SELECT c.township_id, count(*) AS n FROM care_safetyalert sa
  JOIN children_child c ON c.id = sa.child_id WHERE sa.status = 'open' GROUP BY 1
),
overdue AS (
  SELECT a.township_id, count(*) FILTER (WHERE ({due_sql}) < %s) AS n
  FROM active a
  LEFT JOIN LATERAL (SELECT max(v.date) AS d FROM visits_visit v WHERE v.child_id = a.id) l
    ON true
  GROUP BY 1
),
weeks AS (
  SELECT date_trunc('week', start_date)::date AS week, count(*) AS n
  FROM activities_activity WHERE campaign_id = %s GROUP BY 1
),
people AS (
  SELECT count(DISTINCT p.child_id) AS distinct_children, count(*) AS attendances
  FROM activities_participation p JOIN activities_activity act ON act.id = p.activity_id
  WHERE act.campaign_id = %s
),
sums AS (
  SELECT count(*) AS activities, coalesce(sum(guardians_count + other_children_count
         + teachers_count + public_count), 0) AS others
  FROM activities_activity WHERE campaign_id = %s
),
reports AS (
  SELECT status, count(*) AS n FROM reports_townshipreport WHERE campaign_id = %s GROUP BY 1
),
ledger AS (
  SELECT id FROM children_child
  WHERE registered_on <= %s AND (closed_on IS NULL OR closed_on >= %s)
),
headline AS (
  SELECT (SELECT count(*) FROM ledger) AS children,
         s.screenings, s.children_screened,
         (SELECT count(*) FROM visits_visit v WHERE v.date BETWEEN %s AND %s) AS visits,
         (SELECT count(*) FROM activities_activity act
          WHERE act.campaign_id = %s AND act.start_date <= %s) AS activities
  FROM (SELECT count(*) AS screenings, count(DISTINCT sc.child_id) AS children_screened
        FROM care_screening sc JOIN ledger l ON l.id = sc.child_id
        WHERE sc.screened_on BETWEEN %s AND %s) s
)
SELECT json_build_object(
  'circumstances', (SELECT json_agg(circ) FROM circ),
  'risk', (SELECT row_to_json(risk) FROM risk),
  'coverage', (SELECT json_agg(cover) FROM cover),
  'alerts', (SELECT json_agg(alerts) FROM alerts),
  'overdue', (SELECT json_agg(overdue) FROM overdue),
  'weeks', (SELECT json_agg(weeks) FROM weeks),
  'people', (SELECT row_to_json(people) FROM people),
  'sums', (SELECT row_to_json(sums) FROM sums),
  'reports', (SELECT json_agg(reports) FROM reports),
  'headline', (SELECT row_to_json(headline) FROM headline)
)
"""
    as_of = min(today, end)
    params = [start, end, *due_params, today, campaign.pk, campaign.pk, campaign.pk, campaign.pk]
    # The campaign's figures beside the charts (reports.figures.headline_figures): the
    # ledger during the period, its screenings, the visits, the activities held by as_of.
    params += [as_of, start, start, as_of, campaign.pk, as_of, start, as_of]
    return sql, params


def check_dashboard(dashboard, floor: dict) -> dict:
    # The KPIs the floor computes too, found by their labels (msgids).
    by_label = {str(label): value for label, value, _url in dashboard.kpis}
    active = by_label["在册困境儿童（当前，人）"]
    red = by_label["红色（高风险）"]
    open_alerts = by_label["待处置预警（条）"]
    overdue = by_label["家访逾期（人）"]
    portal = {
        "active": active,
        "red": red,
        "open_alerts": open_alerts,
        "overdue": overdue,
        "screenings": by_label["测评人次"],
        "coverage": by_label["测评覆盖率(%)"],
        "visits": by_label["家访人次"],
        "activities": by_label["主题活动（场）"],
        "distinct_children": by_label["参与儿童（去重，人）"],
        "beneficiary_attendances": by_label["受益人次"],
    }
    headline, people, sums = floor["headline"], floor["people"], floor["sums"]
    mine = {
        "active": floor["risk"]["total"],
        "red": floor["risk"]["red"],
        "open_alerts": sum(row["n"] for row in floor["alerts"] or []),
        "overdue": sum(row["n"] for row in floor["overdue"] or []),
        "screenings": headline["screenings"],
        "coverage": coverage(headline["children_screened"], headline["children"]),
        "visits": headline["visits"],
        "activities": headline["activities"],
        "distinct_children": people["distinct_children"],
        "beneficiary_attendances": people["attendances"] + sums["others"],
    }
    return {"portal": portal, "floor": mine, "equal": portal == mine}


def township_sql(campaign, township, today: dt.date) -> tuple[str, list]:
    start, end = campaign.start_date, campaign.end_date
    as_of = min(today, end)
    rules = schedule.load_rules()
    due_sql, due_params = _next_due_sql(rules)
    benefit_cols = ", ".join(
        f"count(*) FILTER (WHERE benefit_category = '{c}') AS b_{c}" for c in BenefitCategory.values
    )
    risk_cols = ", ".join(
        f"count(*) FILTER (WHERE risk_level = '{c}') AS r_{c}" for c in RiskLevel.values
    )
    sql = f"""
WITH ledger AS (
  SELECT id, risk_level, benefit_category, registered_on FROM children_child
  WHERE township_id = %(t)s AND registered_on <= %(end)s
    AND (closed_on IS NULL OR closed_on >= %(start)s)
),
ledger_counts AS (
  SELECT count(*) AS children, count(*) FILTER (WHERE registered_on >= %(start)s) AS new,
         {benefit_cols}, {risk_cols}
  FROM ledger
),
circ AS (
  SELECT cc.code, count(DISTINCT cc.child_id) AS n FROM children_childcircumstance cc
  JOIN ledger l ON l.id = cc.child_id GROUP BY 1
),
scr AS (
  SELECT count(*) AS screenings, count(DISTINCT s.child_id) AS children,
         count(*) FILTER (WHERE s.positive) AS positive,
         count(DISTINCT s.child_id) FILTER (WHERE s.positive) AS positive_children,
         count(*) FILTER (WHERE s.band = 'severe'
                           OR sa.kind IN ('suicidal_ideation', 'suicide_attempt')) AS severe
  FROM care_screening s JOIN ledger l ON l.id = s.child_id
  LEFT JOIN care_safetyalert sa ON sa.screening_id = s.id
  WHERE s.screened_on BETWEEN %(start)s AND %(end)s
),
alerts AS (
  SELECT count(*) FILTER (WHERE (sa.raised_at AT TIME ZONE 'Asia/Shanghai')::date
                          >= %(start)s) AS raised,
         count(*) FILTER (WHERE (sa.closed_at AT TIME ZONE 'Asia/Shanghai')::date
                          BETWEEN %(start)s AND %(as_of)s) AS closed,
         count(*) FILTER (WHERE sa.status = 'open'
                          OR (sa.closed_at AT TIME ZONE 'Asia/Shanghai')::date > %(as_of)s) AS open
  FROM care_safetyalert sa JOIN children_child c ON c.id = sa.child_id
  WHERE c.township_id = %(t)s
    AND (sa.raised_at AT TIME ZONE 'Asia/Shanghai')::date <= %(as_of)s
),
plans AS (
  SELECT count(*) FILTER (WHERE p.started_on BETWEEN %(start)s AND %(end)s) AS started,
         count(*) FILTER (WHERE p.status = 'active' AND p.started_on <= %(end)s) AS active
  FROM care_careplan p JOIN children_child c ON c.id = p.child_id WHERE c.township_id = %(t)s
    AND p.status IN ('active', 'completed', 'terminated')  -- approved: drafts do not count
),
refs AS (
  SELECT r.status, count(*) AS n FROM care_referral r
  JOIN children_child c ON c.id = r.child_id
  WHERE c.township_id = %(t)s AND r.referred_on BETWEEN %(start)s AND %(end)s GROUP BY 1
),
pair AS (
  SELECT count(*) AS pairings,
         count(*) FILTER (WHERE f.followed) AS followed,
         count(*) FILTER (WHERE p.status = 'active' AND p.next_follow_up_on < %(as_of)s) AS overdue
  FROM care_pairing p JOIN children_child c ON c.id = p.child_id
  LEFT JOIN LATERAL (SELECT true AS followed FROM care_followup fu WHERE fu.pairing_id = p.id
                     AND fu.followed_on BETWEEN %(start)s AND %(end)s LIMIT 1) f ON true
  WHERE c.township_id = %(t)s AND p.started_on <= %(end)s
    AND (p.ended_on IS NULL OR p.ended_on >= %(start)s)
),
fups AS (
  SELECT count(*) AS n FROM care_followup fu JOIN care_pairing p ON p.id = fu.pairing_id
  JOIN children_child c ON c.id = p.child_id
  WHERE c.township_id = %(t)s AND fu.followed_on BETWEEN %(start)s AND %(end)s
),
vis AS (
  SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM visits_visit v WHERE v.child_id = a.id
                          AND v.date BETWEEN %(start)s AND %(end)s)) AS visited,
         count(*) FILTER (WHERE ({due_sql}) < %(as_of)s) AS overdue
  FROM children_child a
  LEFT JOIN LATERAL (SELECT max(v.date) AS d FROM visits_visit v WHERE v.child_id = a.id) l
    ON true
  WHERE a.township_id = %(t)s AND a.status = 'active'
),
vcount AS (
  SELECT count(*) AS n FROM visits_visit v JOIN children_child c ON c.id = v.child_id
  WHERE c.township_id = %(t)s AND v.date BETWEEN %(start)s AND %(end)s
),
people AS (
  SELECT count(DISTINCT p.child_id) AS distinct_children, count(*) AS attendances
  FROM activities_participation p JOIN activities_activity act ON act.id = p.activity_id
  WHERE act.campaign_id = %(c)s AND act.township_id = %(t)s
)
SELECT json_build_object(
  'ledger', (SELECT row_to_json(ledger_counts) FROM ledger_counts),
  'circumstances', (SELECT json_agg(circ) FROM circ),
  'screening', (SELECT row_to_json(scr) FROM scr),
  'alerts', (SELECT row_to_json(alerts) FROM alerts),
  'plans', (SELECT row_to_json(plans) FROM plans),
  'referrals', (SELECT json_agg(refs) FROM refs),
  'pairings', (SELECT row_to_json(pair) FROM pair),
  'follow_ups', (SELECT n FROM fups),
  'visits', (SELECT row_to_json(vis) FROM vis),
  'visit_count', (SELECT n FROM vcount),
  'people', (SELECT row_to_json(people) FROM people)
)
"""
    # Named parameters for the constant ones; the next-due CASE uses positional ones, which
    # psycopg does not mix with named: inline them as literals (integers and risk codes).
    due_literal = due_sql
    for value in due_params:
        literal = f"'{value}'" if isinstance(value, str) else str(int(value))
        due_literal = due_literal.replace("%s", literal, 1)
    sql = sql.replace(due_sql, due_literal)
    params = {"t": township.pk, "start": start, "end": end, "as_of": as_of, "c": campaign.pk}
    return sql, params


def check_township(figures: dict, floor: dict) -> dict:
    """Every figure the floor computes, beside the summary's: the floor is SQL written apart
    from the report's rules, so their agreement is a second derivation of those figures at
    the benchmark's scale (a figure the floor leaves out is not compared)."""
    ledger, screening = figures["ledger"], figures["screening"]
    visits, pairings = figures["visits"], figures["pairings"]
    portal = {
        "children": ledger["children"],
        "new_registrations": ledger["new_registrations"],
        **{f"benefit {code}": n for code, n in ledger["by_benefit_category"].items()},
        **{f"risk {code}": n for code, n in ledger["by_risk"].items()},
        **{f"circumstance {code}": n for code, n in ledger["by_circumstance"].items() if n},
        "screenings": screening["screenings"],
        "children_screened": screening["children_screened"],
        "positive": screening["positive"],
        "positive_children": screening["positive_children"],
        "severe": screening["severe"],
        **{f"alerts {key}": figures["alerts"][key] for key in ("raised", "closed", "open")},
        **{f"plans {key}": figures["care_plans"][key] for key in ("started", "active")},
        "referrals": figures["referrals"]["total"],
        **{f"referrals {code}": n for code, n in figures["referrals"]["by_status"].items() if n},
        **{f"pairings {key}": pairings[key] for key in ("pairings", "followed", "overdue")},
        "follow_ups": pairings["follow_ups"],
        "visited": visits["children_visited"],
        "overdue": visits["children_overdue"],
        "visits": visits["visits"],
        "distinct_children": figures["activities"]["distinct_children"],
        "attendances": figures["activities"]["attendances"],
    }
    mine_ledger, mine_screening = floor["ledger"], floor["screening"]
    referrals = {row["status"]: row["n"] for row in floor["referrals"] or []}
    mine = {
        "children": mine_ledger["children"],
        "new_registrations": mine_ledger["new"],
        **{f"benefit {code}": mine_ledger[f"b_{code}"] for code in ledger["by_benefit_category"]},
        **{f"risk {code}": mine_ledger[f"r_{code}"] for code in ledger["by_risk"]},
        **{f"circumstance {row['code']}": row["n"] for row in floor["circumstances"] or []},
        "screenings": mine_screening["screenings"],
        "children_screened": mine_screening["children"],
        "positive": mine_screening["positive"],
        "positive_children": mine_screening["positive_children"],
        "severe": mine_screening["severe"],
        **{f"alerts {key}": floor["alerts"][key] for key in ("raised", "closed", "open")},
        **{f"plans {key}": floor["plans"][key] for key in ("started", "active")},
        "referrals": sum(referrals.values()),
        **{f"referrals {code}": n for code, n in referrals.items()},
        **{
            f"pairings {key}": floor["pairings"][key] for key in ("pairings", "followed", "overdue")
        },
        "follow_ups": floor["follow_ups"],
        "visited": floor["visits"]["visited"],
        "overdue": floor["visits"]["overdue"],
        "visits": floor["visit_count"],
        "distinct_children": floor["people"]["distinct_children"],
        "attendances": floor["people"]["attendances"],
    }
    differ = {key: (portal.get(key), mine.get(key)) for key in portal.keys() | mine.keys()}
    differ = {key: pair for key, pair in differ.items() if pair[0] != pair[1]}
    return {"compared": len(portal), "differ": differ, "equal": not differ}


def export_floor() -> tuple[bytes, int]:
    """The whole ledger, the same columns as the 花名册, straight from ``values_list`` into a
    write-only openpyxl workbook (no masking, no labels, no circumstances: the floor)."""
    from openpyxl import Workbook

    from children.io.ledger_export import HEADERS
    from children.models import Child

    fields = [
        "name", "sex", "ethnicity", "birth_date", "id_number", "household_registration",
        "township__name", "village__name", "group", "address", "health", "disability_type",
        "disability_grade", "illness", "school_stage", "school", "grade", "boarding",
        "father_name", "father_phone", "father_status", "father_work_place", "mother_name",
        "mother_phone", "mother_status", "mother_work_place", "guardian_name",
        "guardian_relation", "guardian_phone", "guardianship_assessment", "benefit_category",
        "risk_level", "support_measures", "registered_on", "filled_by", "reviewed_by",
        "filled_on", "status",
    ]  # fmt: skip
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADERS)
    rows = 0
    queryset = Child.objects.order_by("township__code", "village__code", "name_pinyin", "pk")
    for row in queryset.values_list(*fields).iterator(chunk_size=2000):
        sheet.append(row)
        rows += 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows
