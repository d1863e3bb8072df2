"""Care-record pages. Thin: look the object up in the user's scope (404 outside it), check the
permission (403), parse the form, call one service, render.

The object is looked up *before* the permission is checked, so a record outside the user's
area is a 404 whatever their permissions, exactly like a record that does not exist.

One module per sub-domain; the shared mixins are in ``common``. This package names the views
for ``care/urls.py``.
"""

from care.views.alerts import (
    AlertDetailView,
    AlertListView,
    CareSettingsView,
)
from care.views.approvals import (
    ApprovalExportView,
    ApprovalListView,
    CarePlanDecideView,
    CarePlanSubmitView,
)
from care.views.due import (
    DueListView,
)
from care.views.index import (
    IndexView,
)
from care.views.pairings import (
    FollowUpCreateView,
    MentorCreateView,
    MentorDetailView,
    MentorEditView,
    MentorFormView,
    MentorListView,
    PairingCreateView,
    PairingDetailView,
    PairingEditView,
    PairingListView,
)
from care.views.plans import (
    CarePlanCreateView,
    CarePlanDetailView,
    CarePlanEditView,
    CarePlanListView,
)
from care.views.referrals import (
    InstitutionCreateView,
    InstitutionEditView,
    InstitutionFormView,
    InstitutionListView,
    ReferralCreateView,
    ReferralDetailView,
    ReferralEditView,
    ReferralListView,
    ReferralStatusView,
)
from care.views.screenings import (
    CutoffReviewView,
    ScreeningCreateView,
    ScreeningDetailView,
    ScreeningListView,
)
from care.views.sessions import (
    IncidentCreateView,
    IncidentDetailView,
    IncidentEditView,
    IncidentListView,
    ServiceSessionCreateView,
    ServiceSessionEditView,
    ServiceSessionListView,
)

__all__ = [
    "AlertDetailView",
    "AlertListView",
    "ApprovalExportView",
    "ApprovalListView",
    "CarePlanCreateView",
    "CarePlanDecideView",
    "CarePlanDetailView",
    "CarePlanEditView",
    "CarePlanListView",
    "CarePlanSubmitView",
    "CareSettingsView",
    "CutoffReviewView",
    "DueListView",
    "FollowUpCreateView",
    "IncidentCreateView",
    "IncidentDetailView",
    "IncidentEditView",
    "IncidentListView",
    "IndexView",
    "InstitutionCreateView",
    "InstitutionEditView",
    "InstitutionFormView",
    "InstitutionListView",
    "MentorCreateView",
    "MentorDetailView",
    "MentorEditView",
    "MentorFormView",
    "MentorListView",
    "PairingCreateView",
    "PairingDetailView",
    "PairingEditView",
    "PairingListView",
    "ReferralCreateView",
    "ReferralDetailView",
    "ReferralEditView",
    "ReferralListView",
    "ReferralStatusView",
    "ScreeningCreateView",
    "ScreeningDetailView",
    "ScreeningListView",
    "ServiceSessionCreateView",
    "ServiceSessionEditView",
    "ServiceSessionListView",
]
