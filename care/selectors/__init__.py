"""Reads of the care records. Everything starts from ``Model.objects.visible_to(user)``.

Also the providers the ledger's pages call (see care/apps.py): the child's timeline, the
child page's actions and notices, and the home-page figures. One module per sub-domain; this
package re-exports them so callers write ``from care import selectors``.
"""

from care.selectors.alerts import (
    alert_events,
    alert_for_page,
    alert_list,
)
from care.selectors.approvals import (
    closures_awaiting,
    plans_awaiting,
    plans_returned,
)
from care.selectors.child_page import (
    Notice,
    child_actions,
    child_notices,
    timeline_entries,
)
from care.selectors.common import (
    CHILD_RELATED,
    DETAILS_PERM,
    child_url,
)
from care.selectors.due import (
    WHEN_ALL,
    WHEN_OVERDUE,
    WHEN_WEEK,
    awaiting_pairing,
    due_follow_ups,
    due_reviews,
)
from care.selectors.home import (
    digest_items,
    home_panels,
)
from care.selectors.ledger import (
    child_has_open_alert,
    child_paired,
    child_referred,
    child_screened_between,
)
from care.selectors.pairings import (
    follow_ups_of,
    mentor_children,
    mentor_list,
    pairing_list,
)
from care.selectors.plans import (
    plan_list,
)
from care.selectors.referrals import (
    institution_list,
    referral_list,
    status_history,
)
from care.selectors.screenings import (
    REVERSED_ITEMS,
    CutoffChange,
    ItemRow,
    current_versions,
    cutoff_changes,
    screening_for_page,
    screening_list,
    screening_rows,
)
from care.selectors.sessions import (
    incident_detail,
    incident_flag,
    incident_list,
    session_list,
    sessions_of,
)

__all__ = [
    "CHILD_RELATED",
    "DETAILS_PERM",
    "REVERSED_ITEMS",
    "WHEN_ALL",
    "WHEN_OVERDUE",
    "WHEN_WEEK",
    "CutoffChange",
    "ItemRow",
    "Notice",
    "alert_events",
    "alert_for_page",
    "alert_list",
    "awaiting_pairing",
    "child_actions",
    "child_has_open_alert",
    "child_notices",
    "child_paired",
    "child_referred",
    "child_screened_between",
    "child_url",
    "closures_awaiting",
    "current_versions",
    "cutoff_changes",
    "digest_items",
    "due_follow_ups",
    "due_reviews",
    "follow_ups_of",
    "home_panels",
    "incident_detail",
    "incident_flag",
    "incident_list",
    "institution_list",
    "mentor_children",
    "mentor_list",
    "pairing_list",
    "plan_list",
    "plans_awaiting",
    "plans_returned",
    "referral_list",
    "screening_for_page",
    "screening_list",
    "screening_rows",
    "session_list",
    "sessions_of",
    "status_history",
    "timeline_entries",
]
