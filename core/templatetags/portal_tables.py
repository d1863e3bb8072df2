"""``{% table_cards table as cards %}``: a table's rows as cards (longsheng_care/tables.py)."""

from django import template

from core.tables import card_rows, render_cards

register = template.Library()


@register.simple_tag
def table_cards(table):
    # A table that renders its own cards (the ledger) says so with ``body_cards``.
    custom = getattr(table, "body_cards", None)
    return custom() if custom is not None else card_rows(table)


@register.simple_tag
def list_cards(cards):
    """``{% list_cards cards %}``: the cards' HTML (core.tables.render_cards)."""
    return render_cards(cards)
