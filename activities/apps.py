from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

VIEW = "activities.view_activity"

_VIEW_ALL = [
    "activities.view_campaign",
    VIEW,
    "activities.view_partnerorganisation",
    "activities.view_purchasedservice",
    "activities.view_training",
    "activities.view_activityplan",
    "activities.view_rolemodelstory",
]
# A need found names the child it is for: seen by those who work the township's cases (the
# county, the township supervisor), not by the directors of the other villages.
_VIEW_NEEDS = ["activities.view_needfound"]
# Recording the area's activities, partners, purchased services and trainings.
_RECORD = [
    "activities.add_activity",
    "activities.change_activity",
    "activities.add_activityphoto",
    "activities.add_partnerorganisation",
    "activities.change_partnerorganisation",
    "activities.add_purchasedservice",
    "activities.change_purchasedservice",
    "activities.add_training",
    "activities.change_training",
    "activities.add_activityplan",
    "activities.change_activityplan",
    "activities.add_rolemodelstory",
    "activities.change_rolemodelstory",
    "activities.add_needfound",
    "activities.change_needfound",
]


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("主题活动")

    navigation = [NavItem(_("主题活动"), "activities:list", VIEW, order=40)]
    child_timeline = "activities.selectors.child_timeline_entries"
    home_panels = "activities.selectors.home_panels"

    # Who does what (scope comes from accounts.scoping, these are the action rights):
    # - the county admin creates the year's campaign and may record anything, county-level
    #   records included;
    # - county staff read everything (they review the townships' reports);
    # - a township supervisor records the township's activities, photos, partners,
    #   purchased services and trainings;
    # - a village director reads the township's activities, services and trainings but does
    #   not record them (the supervisor does, so each activity is entered once).
    role_permissions = {
        "county_admin": [
            *_VIEW_ALL,
            *_VIEW_NEEDS,
            *_RECORD,
            "activities.add_campaign",
            "activities.change_campaign",
        ],
        "county_staff": [*_VIEW_ALL, *_VIEW_NEEDS],
        "township_supervisor": [*_VIEW_ALL, *_VIEW_NEEDS, *_RECORD],
        "village_director": _VIEW_ALL,
    }
