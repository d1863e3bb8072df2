"""Demo users (the logins named in the README and the foundation issue)."""

from dataclasses import dataclass

from accounts.choices import Role
from accounts.models import Township, User, Village
from accounts.services import user_save

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    township: str = ""
    village: str = ""


DEMO_USERS = [
    DemoUser("county", "县中心管理员", Role.COUNTY_ADMIN),
    DemoUser("center", "县中心工作人员", Role.COUNTY_STAFF),
    DemoUser("longsheng", "龙胜镇督导员", Role.TOWNSHIP_SUPERVISOR, "龙胜镇"),
    DemoUser("pingdeng", "平等镇督导员", Role.TOWNSHIP_SUPERVISOR, "平等镇"),
    DemoUser("director", "山东村儿童主任", Role.VILLAGE_DIRECTOR, "龙胜镇", "山东村"),
]


def seed(stdout=None) -> None:
    for spec in DEMO_USERS:
        township = Township.objects.get(name=spec.township) if spec.township else None
        village = (
            Village.objects.get(township=township, name=spec.village) if spec.village else None
        )
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.name, user.role, user.township, user.village = (
            spec.name,
            spec.role,
            township,
            village,
        )
        user.is_active = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user_save(user=user)
