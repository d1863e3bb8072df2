import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from activities import services
from activities.choices import ActivityForm, LeaderLevel, PartnerKind
from activities.models import Campaign, PartnerOrganisation
from tests import factories


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        year=2026,
        start_date=dt.date(2026, 5, 15),
        end_date=dt.date(2026, 6, 10),
        report_deadline=dt.date(2026, 6, 4),
    )


@pytest.fixture
def partner(db):
    return PartnerOrganisation.objects.create(
        name="龙胜县心语社会工作服务中心",
        kind=PartnerKind.SOCIAL_ORGANISATION,
        credit_code="91350100M000100Y43",
    )


def activity_data(township, campaign=None, **overrides) -> dict:
    data = {
        "campaign": campaign,
        "township": township,
        "title": "「点亮六一」关爱活动",
        "start_date": dt.date(2026, 5, 30),
        "end_date": dt.date(2026, 5, 30),
        "place": "文化广场",
        "brand": "龙脊润心",
    }
    data.update(overrides)
    return data


def make_activity(actor, township=None, *, children=(), leaders=1, campaign=None, **overrides):
    """An activity recorded through the service, as the given supervisor or county user."""
    township = township if township is not None else actor.township
    return services.activity_create(
        actor=actor,
        data=activity_data(township, campaign, **overrides),
        formats=[ActivityForm.LIGHT_UP_JUNE_FIRST, ActivityForm.THEME_DAY],
        leaders=[
            services.LeaderData(f"领导{i}", "副镇长", LeaderLevel.TOWNSHIP) for i in range(leaders)
        ],
        channels=[services.ChannelData("wechat", "https://example.com/a")],
        children=children,
    )


def make_service(actor, partner, *, children=(), township=None, campaign=None):
    return services.purchased_service_create(
        actor=actor,
        data={
            "campaign": campaign,
            "township": township if township is not None else actor.township,
            "organisation": partner,
            "content": "个案心理辅导",
            "start_date": dt.date(2026, 5, 15),
            "end_date": dt.date(2026, 12, 31),
            "amount": Decimal("48000.00"),
            "other_children_count": 3,
        },
        children=children,
    )


def make_training(actor, *, attendees=(), township=None, campaign=None, counts=None):
    return services.training_create(
        actor=actor,
        data={
            "campaign": campaign,
            "township": township if township is not None else actor.township,
            "kind": "training",
            "date": dt.date(2026, 5, 18),
            "topic": "儿童心理危机识别",
            "trainer": "覃医生",
            "hours": Decimal("3.0"),
        },
        attendees=attendees,
        counts=counts,
    )


def image_bytes(fmt="PNG", size=(640, 480), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def longsheng_children(db):
    village = factories.village("龙胜镇", "山东村")
    return [factories.ChildFactory(name=f"山东儿童{i}", village=village) for i in range(3)]
