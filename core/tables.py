"""Every list as cards on a phone, from the table's own columns.

Below Bootstrap's small breakpoint (576 px) a table of eight columns either scrolls sideways,
hiding the action a person came for, or squeezes names one character a line. The portal's
table template (templates/django_tables2/portal.html) therefore renders each row twice: as the
table row (from 576 px up) and as a card (below), both from the same bound cells, so a card
shows exactly what the row shows, escaped and permission-checked the same way.

A table says how its rows read as cards with a ``card = Card(...)`` class attribute (any
django-tables2 table: the template reads it through the ``portal_tables`` tag library).
Without one, the first column heads the card, the next three are its fields and a column named
like an action (``link``, ``edit``, ``record``, ``open``) is its button.
"""

from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

ACTION_COLUMNS = ("open", "link", "record", "edit")
DEFAULT_FIELD_COUNT = 3


@dataclass(frozen=True)
class Card:
    """How a row reads as a card: its heading, the two or three fields that matter on this
    list, the status badge and the primary action (a column whose cell is a link, shown as a
    full-width button). A link in the heading makes the whole card a link."""

    title: str
    fields: tuple[str, ...] = ()
    badge: str | None = None
    action: str | None = None


def card_layout(table) -> Card:
    """The table's ``card``, narrowed to its visible columns, or one derived from them."""
    names = [column.name for column in table.columns]  # the visible ones, in order
    card = getattr(table, "card", None)
    if card is not None:
        return Card(
            title=card.title,
            fields=tuple(n for n in card.fields if n in names),
            badge=card.badge if card.badge in names else None,
            action=card.action if card.action in names else None,
        )
    action = next((n for n in ACTION_COLUMNS if n in names), None)
    rest = [n for n in names[1:] if n != action]
    badge = "status" if "status" in rest else None
    fields = [n for n in rest if n != badge][:DEFAULT_FIELD_COUNT]
    return Card(title=names[0], fields=tuple(fields), badge=badge, action=action)


def card_rows(table) -> list[dict]:
    """One dict per row of the table's page: ``title``, ``badge`` and ``action`` (cell HTML),
    ``fields`` ((label, cell HTML) pairs) and the row's ``attrs``. Cells render as in the
    table (``render_*``), so a card never shows what its row would not."""
    layout = card_layout(table)
    headers = {column.name: column.header for column in table.columns}
    cards = []
    for row in table.paginated_rows:
        cards.append(
            {
                "title": row.get_cell(layout.title),
                "fields": [(headers[name], row.get_cell(name)) for name in layout.fields],
                "badge": row.get_cell(layout.badge) if layout.badge else "",
                "action": row.get_cell(layout.action) if layout.action else "",
                "attrs": row.attrs,
            }
        )
    return cards


def _card(card: dict, labels: dict) -> str:
    escape = conditional_escape
    css = (card.get("attrs") or {}).get("class")
    parts = [
        f'<li class="card list-card{" " + escape(css) if css else ""}">',
        '<div class="card-body"><div class="list-card-head">',
        f'<div class="list-card-title">{escape(card["title"])}</div>',
    ]
    if card.get("badge"):
        parts.append(f'<div class="list-card-badge">{escape(card["badge"])}</div>')
    parts.append("</div>")
    if card.get("fields"):
        parts.append('<dl class="list-card-fields">')
        for label, value in card["fields"]:
            # A column's header (a lazy translation, the same object on every card):
            # translated and escaped once a page, found by identity (hashing translates).
            term = labels.get(id(label))
            if term is None:
                term = labels[id(label)] = f"<dt>{escape(label)}</dt>" if label else ""
            parts.append(f"<div>{term}<dd>{escape(value)}</dd></div>")
        parts.append("</dl>")
    if card.get("action"):
        parts.append(f'<div class="list-card-action">{escape(card["action"])}</div>')
    parts.append("</div></li>")
    return "".join(parts)


def render_cards(cards: list[dict]) -> SafeString:
    """The ``<li>`` of each card (``card_rows``' dicts): heading, badge, the fields as a
    ``<dl>``, the action as a button. Built here rather than by including a template once
    per card: a 50-row page through ``{% include %}`` cost ~40 % of the ledger page's CPU,
    and the ledger list and search are most of what the portal serves. Every value is
    escaped unless it is already safe HTML (the cells are)."""
    labels: dict[int, str] = {}
    return mark_safe("".join(_card(card, labels) for card in cards))
