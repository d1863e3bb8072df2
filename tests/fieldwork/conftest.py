import datetime as dt
import io
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from care import choices as care_choices
from care import services as care_services
from tests import factories


def visit_data(**overrides) -> dict:
    data = {
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "kind": "home",
        "place": "儿童家中",
        "co_visitors": "",
        "emotion_state": "good",
        "emotion_note": "",
        "study_state": "fair",
        "study_note": "",
        "life_state": "good",
        "life_note": "",
        "safety_state": "good",
        "safety_note": "",
        "guardian_informed": True,
        "actions_taken": "谈心半小时",
        "follow_up_needed": False,
        "follow_up_note": "",
        "problems": [],
    }
    data.update(overrides)
    return data


def jpeg_data_url(size=(60, 40)) -> str:
    import base64

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 120, 90)).save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def entry(kind: str, **fields) -> dict:
    return {"key": str(uuid.uuid4()), "kind": kind, **fields}


def post(client, payload):
    return client.post(
        reverse("fieldwork:sync"), data=json.dumps(payload), content_type="application/json"
    )


@pytest.fixture
def director_client(client_for, shandong_director):
    return client_for(shandong_director)


@pytest.fixture
def pairing(db, longsheng_supervisor, county_admin, shandong_child):
    mentor = care_services.mentor_save(
        actor=county_admin,
        data={
            "name": "结对老师",
            "kind": care_choices.MentorType.TEACHER,
            "organisation": "",
            "phone": "",
            "note": "",
            "is_active": True,
        },
    )
    return care_services.pairing_create(
        actor=longsheng_supervisor,
        child=shandong_child,
        mentor=mentor,
        started_on=timezone.localdate() - dt.timedelta(days=20),
    )


@pytest.fixture
def other_village_child(db):
    return factories.ChildFactory(name="南门外童", village=factories.village("龙胜镇", "南门村"))
