"""Reads of the ledger. Everything starts from ``Child.objects.visible_to(user)``."""

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import is_county_wide
from children.choices import CaseStatus, ChangeAction, ConsentStatus, RiskLevel, TransferState
from children.models import (
    ChangeLog,
    Child,
    ChildAssistance,
    ChildCircumstance,
    ChildTransfer,
    ClosureRequest,
    Consent,
    DuplicateCheck,
    DuplicateCheckStatus,
)
from children.privacy import masked_changes, may_reveal
from children.timeline import NewestFirst, TimelineEntries, TimelineEntry, newest, newest_rows
from core.choices import choice_labels
from core.extensions import Panel


def _ledger(user):
    queryset = Child.objects.visible_to(user)
    if user.township_id and not is_county_wide(user):
        # Redundant for correctness (the scope already implies it) but it lets PostgreSQL
        # start from the township's villages when ordering by village (bench/RESULTS.md §1).
        queryset = queryset.filter(village__township_id=user.township_id)
    return queryset


def child_list(user):
    """The ledger with what the export writes of each child: scoped, in a fixed number of
    queries."""
    return (
        _ledger(user)
        .select_related("township", "village", "responsible_director", "household")
        .prefetch_related(
            Prefetch("circumstances", queryset=ChildCircumstance.objects.order_by("code"))
        )
    )


# What the ledger table (children/tables.py) shows of each child, read as plain values: a
# child has some sixty fields, and building fifty model instances with their township,
# village and director took more CPU than the rest of the rows' work together.
LEDGER_ROW_FIELDS = (
    "pk", "name", "sex", "birth_date", "id_number", "township__name", "village__name",
    "benefit_category", "risk_level", "status", "school_stage", "guardian_name",
    "registered_on", "responsible_director__name", "responsible_director__username",
    "id_pending", "id_due_on", "document_type", "document_number",
)  # fmt: skip


def ledger_table(user):
    """The ledger list's queryset: scoped, nothing joined, so that counting it for the
    pagination joins nothing either. Its table reads each page's rows as dicts of
    LEDGER_ROW_FIELDS (``ledger_rows``) and adds their circumstances (``circumstance_codes``)
    and the columns other apps contribute (the next visit date)."""
    return _ledger(user)


def ledger_rows(page_queryset) -> list[dict]:
    """One page of ``ledger_table`` (filtered, ordered and sliced) as plain values."""
    return list(page_queryset.values(*LEDGER_ROW_FIELDS))


def circumstance_codes(child_pks) -> dict[int, list[str]]:
    """``{child pk: [circumstance codes, in code order]}`` for the given children."""
    codes: dict[int, list[str]] = {}
    rows = ChildCircumstance.objects.filter(child_id__in=list(child_pks)).order_by("code")
    for child_id, code in rows.values_list("child_id", "code"):
        codes.setdefault(child_id, []).append(code)
    return codes


def child_detail(user, pk):
    """One child for its page, or DoesNotExist when absent or outside the user's area."""
    pending = ClosureRequest.objects.filter(child=OuterRef("pk")).pending()
    waiting = ChildTransfer.objects.filter(child=OuterRef("pk"), state=TransferState.REQUESTED)
    return (
        Child.objects.visible_to(user)
        # The pending closure request, read with the child (the page is paid on every visit);
        # and whether a transfer is waiting (rarely) or any consent is on file, which the page
        # reads only when there is one: a statement saved on a view for each that is not.
        .annotate(
            pending_closure_id=Subquery(pending.values("pk")[:1]),
            pending_closure_reason=Subquery(pending.values("reason")[:1]),
            has_pending_transfer=Exists(waiting),
            has_consents=Exists(Consent.objects.filter(child=OuterRef("pk"))),
        )
        .select_related("township", "village", "responsible_director")
        .prefetch_related(
            Prefetch("circumstances", queryset=ChildCircumstance.objects.order_by("code")),
            Prefetch("assistance", queryset=ChildAssistance.objects.order_by("code")),
        )
        .get(pk=pk)
    )


# Changes the child page shows unless asked for all: every visit recorded is one, so a child
# visited for a year has dozens, and the newest are what a reader looks for.
HISTORY_LIMIT = 10


def child_history(child, *, limit: int | None = None, reveal: bool = False) -> NewestFirst:
    """The child's change log for its page, newest first: all of it, or the newest ``limit``
    changes with how many there are in all (``total``, ``older``; counted apart only when
    there are more). Each change carries its ``action_label``; of the actor, only what
    ``display_name`` reads. Values are masked as ``reveal`` allows
    (children.privacy.masked_changes)."""
    changes = (
        ChangeLog.objects.filter(child=child)
        .select_related("actor")
        .only("at", "action", "changes", "note", "actor__name", "actor__username")
        .order_by("-at", "-pk")
    )
    changes, total = newest_rows(changes, limit)
    changes = NewestFirst(changes, total)
    labels = choice_labels(ChangeAction)
    for change in changes:
        change.action_label = labels.get(change.action, change.action)
        change.changes = masked_changes(change.changes, reveal=reveal)
    return changes


def possible_duplicates(*, name, birth_date, village, exclude_pk=None):
    """Children with the same name and birth date in the same village (ask to confirm)."""
    qs = Child.objects.filter(name=name, birth_date=birth_date, village=village)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def timeline_entries(child, user, limit=None) -> TimelineEntries:
    """The ledger's own events on the timeline: registration, transfers, closing; the newest
    ``limit`` of them (one query)."""
    shown = {ChangeAction.CREATE, ChangeAction.IMPORT, ChangeAction.TRANSFER}
    shown |= {ChangeAction.CLOSE, ChangeAction.REOPEN, ChangeAction.HANDOVER}
    # A transfer request's steps: asked, returned, withdrawn (accepted is TRANSFER).
    shown |= {
        ChangeAction.TRANSFER_REQUEST,
        ChangeAction.TRANSFER_REJECT,
        ChangeAction.TRANSFER_CANCEL,
    }
    registration = [ChangeAction.CREATE, ChangeAction.IMPORT]
    changes = (
        ChangeLog.objects.filter(
            child=child, action__in=shown, record_type__in=("child", "transfer")
        )
        .annotate(
            # The entry's date, as below, so that SQL cuts the newest in the timeline's order.
            timeline_date=Case(
                When(action__in=registration, then=Value(child.registered_on)),
                default=TruncDate("at"),
                output_field=DateField(),
            )
        )
        .order_by("-timeline_date", "-at", "-pk")
    )
    changes, total = newest_rows(changes, limit)
    labels = choice_labels(ChangeAction)
    entries = []
    for change in changes:
        registered = change.action in registration
        label = labels.get(change.action, change.action)
        entries.append(
            TimelineEntry(
                # Registration is dated by the ledger's 登记日期, not by when it was typed in.
                date=child.registered_on if registered else timezone.localdate(change.at),
                kind=label,
                title=change.note or label,
                tone="info",
                sort_key=(change.at.timestamp(),),
            )
        )
    return newest(entries, limit, total)


def home_panels(user):
    if not user.has_perm("children.view_child"):
        return []
    counts = Child.objects.visible_to(user).aggregate(
        active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)),
        red=Count("pk", filter=Q(status=CaseStatus.ACTIVE, risk_level=RiskLevel.RED)),
    )
    url = reverse("children:list")
    return [
        Panel(_("在册困境儿童"), counts["active"], f"{url}?status=active", order=10),
        Panel(
            _("红色（高风险）儿童"),
            counts["red"],
            f"{url}?status=active&risk_level=red",
            tone="danger",
            order=11,
        ),
    ]


ID_TAIL_MIN = 4


def id_tail_q(tail: str) -> Q:
    """Children whose ID number ends with ``tail`` (at least its last 4 characters). The
    numbers are encrypted: the keyed hash of the last 4 finds the few candidates in the
    county, which are decrypted and compared here."""
    if len(tail) < ID_TAIL_MIN:
        return Q(pk__in=[])
    index = Child._meta.get_field("id_number_tail_hash").index_of(tail)
    candidates = Child.objects.filter(id_number_tail_hash=index).values_list("pk", "id_number")
    return Q(pk__in=[pk for pk, number in candidates if number and number.endswith(tail)])


# How much of the ID number's tail someone without the reveal right may search by: what the
# mask shows. A longer query would confirm a guessed full number (the birth date in the
# middle, the check digit at the end) one try at a time.
SEARCHABLE_ID_TAIL = 4


def looks_like_id_query(query: str) -> bool:
    """Digits, perhaps ending in the check character X: a search by ID number."""
    query = query.strip()
    return bool(query) and (query.isdigit() or (query[:-1].isdigit() and query[-1:] in "xX"))


def search_q(query: str, *, reveal: bool = False) -> Q:
    """Match a child by name, pinyin, pinyin initials or the tail of the ID number (without
    ``reveal``, the last ``SEARCHABLE_ID_TAIL`` characters of the query only)."""
    from children.pinyin import looks_like_pinyin

    query = query.strip()
    if not query:
        return Q()
    if looks_like_id_query(query):
        if not reveal:
            query = query[-SEARCHABLE_ID_TAIL:]
        return id_tail_q(query.upper())
    if looks_like_pinyin(query):
        # Without any whitespace, as looks_like_pinyin reads it: a Chinese keyboard types
        # the full-width space (U+3000) between syllables as readily as " ".
        compact = "".join(query.split()).lower()
        # A name's pinyin and its initials start with the same letter (children.pinyin.
        # pinyin_keys), so every match's initials start with the query's first letter. Said
        # outright, it lets PostgreSQL read a prefix range of an index of initials (a
        # village's children by initials, the county's) instead of filtering every child of
        # the area; for a one-letter query it is the whole condition.
        first_letter = Q(name_initials__startswith=compact[0])
        if len(compact) == 1:
            return first_letter
        return first_letter & (
            Q(name_pinyin__startswith=compact) | Q(name_initials__startswith=compact)
        )
    return Q(name__contains=query)


def search_children(user, query: str, *, active_only=True, limit=20):
    """Scoped child search for pickers and autocompletes (participants, pairings…)."""
    qs = (
        Child.objects.visible_to(user)
        .filter(search_q(query, reveal=may_reveal(user)))
        .select_related("village")
    )
    if active_only:
        qs = qs.active()
    return qs[:limit]


def duplicate_checks(*, open_only: bool = True, limit: int = 200):
    """重复登记核实 requests for the county center's page, newest first. County-wide: the
    page is for the county roles only (children.view_duplicatecheck)."""
    checks = DuplicateCheck.objects.select_related(
        "requested_by",
        "township",
        "village",
        "existing__village",
        "existing__township",
        "edited",
        "resolved_by",
    )
    if open_only:
        checks = checks.filter(status=DuplicateCheckStatus.OPEN)
    return list(checks[:limit])


def duplicate_check(pk):
    return (
        DuplicateCheck.objects.select_related("existing", "village__township").filter(pk=pk).first()
    )


def child_casework(child, user) -> dict:
    """The child page's consent panel and pending closure request (at most two queries;
    none for a child read by ``child_detail`` with neither)."""
    consents = []
    # As read by child_detail: no consent on file, no query for the list.
    if user.has_perm("children.view_consent") and getattr(child, "has_consents", True):
        consents = list(Consent.objects.filter(child=child).order_by("kind", "recipient", "pk"))
    pending = None
    if user.has_perm("children.view_closurerequest"):
        pending_id = getattr(child, "pending_closure_id", None)
        if pending_id is not None:  # as read by child_detail, without another query
            pending = ClosureRequest(
                pk=pending_id, child=child, reason=child.pending_closure_reason
            )
        elif not hasattr(child, "pending_closure_id"):
            pending = ClosureRequest.objects.filter(child=child).pending().first()
    return {
        "consents": consents,
        "consent_withdrawn": any(c.status == ConsentStatus.WITHDRAWN for c in consents),
        "can_view_consents": user.has_perm("children.view_consent"),
        "can_add_consent": user.has_perm("children.add_consent"),
        "can_change_consent": user.has_perm("children.change_consent"),
        "pending_closure": pending,
    }


def closures_awaiting(user):
    """Closure requests waiting for this user's approval (their area), oldest first."""
    if not user.has_perm("children.approve_closurerequest"):
        return ClosureRequest.objects.none()
    return (
        ClosureRequest.objects.visible_to(user)
        .pending()
        .select_related("child", "child__township", "child__village", "created_by")
        .order_by("created_at", "pk")
    )
