"""Choice labels, translated once.

``get_FOO_display()`` translates every label of the field's choices at each call; a page or
workbook that shows a label per row (the ledger, the timeline, the export) translates them
once with ``choice_labels`` and looks codes up in the dict.
"""


def choice_labels(choices_class) -> dict[str, str]:
    """``{code: label}`` of a TextChoices class in the active language, in choice order."""
    return {value: str(label) for value, label in choices_class.choices}
