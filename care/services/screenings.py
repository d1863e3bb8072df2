"""Recording a screening: answers scored by ``care.screening``, the result stored with its
cut-off version, the child's risk raised and a safety alert opened when the answers call for one."""

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.models import (
    CareSettings,
    Screening,
)
from care.screening import (
    INSTRUMENTS,
    InvalidAnswersError,
    age_in_years,
    get_cutoffs,
    get_instrument,
    instruments_for_age,
    score,
)
from care.services.alerts import alert_raise
from care.services.common import (
    check_child,
    not_future,
)
from children.choices import ChangeAction, ConsentKind
from children.models import Child
from children.services import child_raise_risk, record_change
from children.services_consent import consent_refusal

# --- screenings and safety alerts ----------------------------------------------------------


def instrument_enabled(code: str) -> bool:
    """Licensed instruments (the SDQ) only where the organisation holds the licence."""
    try:
        instrument = get_instrument(code)
    except ValueError:
        return False
    return not instrument.licensed_only or getattr(settings, "SDQ_LICENSED", False)


def answers_error(exc: InvalidAnswersError, answers: Mapping[int, int]) -> str:
    """A Chinese message naming the item (or subscale) the scoring package refused."""
    if exc.subscale:
        return _("「%(sub)s」分量表至少需回答 3 题，请补答第 %(n)s 题。") % {
            "sub": choices.subscale_label(exc.subscale),
            "n": exc.item,
        }
    if exc.item is None:
        return _("答案无法计分，请检查后重新提交。")
    if exc.item not in answers:
        return _("请回答第 %(n)s 题。") % {"n": exc.item}
    return _("第 %(n)s 题的答案无效，请重新选择。") % {"n": exc.item}


def instrument_label(code: str, respondent: str) -> str:
    """PHQ-A, SDQ（家长版）…: short enough to list several in one message."""
    title = INSTRUMENTS[code].title
    short = title[title.index("（") + 1 : -1] if "（" in title else code
    return short.replace("，", "（", 1) + "）" if "，" in short else short


def age_error(code: str, respondent: str, birth_date: dt.date, on: dt.date) -> str | None:
    """None when the child's age at ``on`` fits the instrument for this respondent; else a
    message naming the range and the instruments that do fit (enabled ones only)."""
    definition = get_instrument(code)
    age = age_in_years(birth_date, on)
    if respondent not in definition.respondents or definition.fits_age(respondent, age):
        return None
    fitting = [instrument_label(c, r) for c, r in instruments_for_age(age) if instrument_enabled(c)]
    low, high = definition.age_range(respondent)
    ages = (
        _("%(low)d–%(high)d 岁") % {"low": low, "high": high}
        if high is not None
        else _("%(low)d 岁及以上") % {"low": low}
    )
    message = _("%(inst)s 适用于 %(range)s（%(who)s填答），该儿童测评日期时 %(age)d 岁。") % {
        "inst": instrument_label(code, respondent),
        "range": ages,
        "who": choices.Respondent(respondent).label,
        "age": age,
    }
    if fitting:
        return message + _("适合该年龄的量表：%(list)s。") % {"list": "、".join(fitting)}
    return message + _("该年龄没有可用的量表。")


@transaction.atomic
def screening_record(
    *,
    actor,
    child: Child,
    instrument: str,
    respondent: str,
    screened_on: dt.date,
    answers: Mapping[int, int],
) -> Screening:
    """Score and save a screening (录入测评), if the guardian consented to screening; raise
    the child's risk and open a safety alert when the result calls for it (see
    care.choices.risk_for_result / alert_kind_for_result)."""
    child = check_child(actor, child, perm="care.add_screening")
    if not instrument_enabled(instrument):
        raise ValidationError({"instrument": _("该量表未启用。")})
    definition = get_instrument(instrument)
    if respondent not in definition.respondents:
        allowed = "、".join(str(choices.Respondent(r).label) for r in definition.respondents)
        raise ValidationError({"respondent": _("该量表只能由%(who)s填答。") % {"who": allowed}})
    not_future(screened_on, "screened_on", _("测评日期"), birth_date=child.birth_date)
    too_young_or_old = age_error(instrument, respondent, child.birth_date, screened_on)
    if too_young_or_old:
        raise ValidationError({"instrument": too_young_or_old})
    # 个人信息保护法 art. 31: no screening without the guardian's consent (and the child's
    # own, from 8); a withdrawn consent stops new screenings at once.
    refusal = consent_refusal(child, ConsentKind.SCREENING, on=screened_on)
    if refusal:
        raise ValidationError(refusal, code="consent")
    county = CareSettings.current()
    norm = county.scared_norm if get_cutoffs(instrument).norm else ""
    answers = dict(answers)
    try:
        result = score(instrument, answers, norm=norm or None)
    except InvalidAnswersError as exc:
        message = answers_error(exc, answers)
        if exc.item is not None:
            raise ValidationError({f"item_{exc.item}": message}) from exc
        raise ValidationError(message) from exc

    screening = Screening(
        child=child,
        screened_on=screened_on,
        instrument=instrument,
        respondent=respondent,
        answers={str(number): value for number, value in sorted(answers.items())},
        total=result.total,
        band=result.band,
        subscales=dict(result.subscales),
        alerts=list(result.alerts),
        positive=result.positive,
        severity=result.severity,
        cutoff_version=result.version,
        norm=norm,
        entered_by=actor,
    )
    screening.full_clean()
    screening.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="screening",
        record_id=screening.pk,
        note=_("录入心理健康测评：%(inst)s（%(date)s）")
        % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
    )
    level = choices.risk_for_result(result)
    if level:
        child_raise_risk(
            actor=actor,
            child=child,
            level=level,
            reason=_("心理健康测评（%(inst)s，%(date)s）提示风险，风险等级上调。")
            % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
        )
    kind = choices.alert_kind_for_result(result)
    if kind:
        alert_raise(actor=actor, screening=screening, kind=kind, county=county)
    return screening
