"""Writes to the care records. Each service checks the actor's permission and area, validates,
writes the record and the child's history entry in one transaction. Views, the admin and the
demo seeding call these only.

History notes never carry screening results (bands, alerts): the child's history is shown to
roles that may not see them. They name the record and its date only.

One module per sub-domain; this package re-exports their services so callers write
``from care import services`` and ``services.screening_record(...)``.
"""

from care.services.alerts import (
    NO_ACTION,
    alert_close,
    alert_raise,
    alerts_escalate,
    care_settings_update,
)
from care.services.common import (
    check_child,
    check_visible,
    not_future,
    require_perm,
    user_covers_child,
)
from care.services.incidents import (
    INCIDENT_FIELDS,
    incident_record,
    incident_update,
)
from care.services.pairings import (
    MENTOR_FIELDS,
    PAIRING_EDIT_FIELDS,
    follow_up_record,
    mentor_save,
    pairing_create,
    pairing_update,
)
from care.services.plans import (
    PLAN_FIELDS,
    can_approve,
    can_edit,
    care_plan_approve,
    care_plan_create,
    care_plan_return,
    care_plan_submit,
    care_plan_update,
)
from care.services.referrals import (
    INSTITUTION_FIELDS,
    REFERRAL_EDIT_FIELDS,
    institution_save,
    referral_change_status,
    referral_create,
    referral_update,
)
from care.services.screenings import (
    age_error,
    answers_error,
    instrument_enabled,
    instrument_label,
    screening_record,
)
from care.services.sessions import (
    SESSION_FIELDS,
    session_record,
    session_update,
)
from core.versioning import StaleEdit, claim_version

__all__ = [
    "INCIDENT_FIELDS",
    "INSTITUTION_FIELDS",
    "MENTOR_FIELDS",
    "NO_ACTION",
    "PAIRING_EDIT_FIELDS",
    "PLAN_FIELDS",
    "REFERRAL_EDIT_FIELDS",
    "SESSION_FIELDS",
    "StaleEdit",
    "age_error",
    "alert_close",
    "alert_raise",
    "alerts_escalate",
    "answers_error",
    "can_approve",
    "can_edit",
    "care_plan_approve",
    "care_plan_create",
    "care_plan_return",
    "care_plan_submit",
    "care_plan_update",
    "care_settings_update",
    "check_child",
    "check_visible",
    "claim_version",
    "follow_up_record",
    "incident_record",
    "incident_update",
    "institution_save",
    "instrument_enabled",
    "instrument_label",
    "mentor_save",
    "not_future",
    "pairing_create",
    "pairing_update",
    "referral_change_status",
    "referral_create",
    "referral_update",
    "require_perm",
    "screening_record",
    "session_record",
    "session_update",
    "user_covers_child",
]
