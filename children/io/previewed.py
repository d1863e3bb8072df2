"""The rows a preview read and checked, kept for the write step of the same import.

The write step used to read the workbook and check every row again (half of an import's
time). When a preview finds no error, its job keeps the parsed rows next to the staged file
(children.io.staging), signed with the site's secret and keyed on what they were checked
against: the file's SHA-256, the township, the day and the column rules. The write job uses
them only when the key is exactly its own and the signature holds; otherwise it reads and
checks the file again, as before.

Only what depends on the file alone is taken over. What depends on the database is read
again at write time (children.io.ledger_import.import_ledger): the village, township and
director cells against the current names, the match with the children on the ledger (locked,
as always), and every check of a row that now matches an existing child.

The payload is JSON (never pickle): a forged file can at worst be refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.signing import BadSignature, Signer

from children import ledger_columns as lc
from children.io import staging
from children.services_import import NEW

# Bumped whenever the reader or the payload changes: a preview saved by older code is not
# taken over by newer code.
FORMAT = 2
SUFFIX = ".checked"
_SALT = "children.io.previewed"


@dataclass
class SavedRow:
    row: int
    data: dict[str, Any]  # the model values read from the file, the director as a user id
    db_cells: dict[str, str]  # village, township, director cells as typed
    circumstances: list[str] | None
    assistance: list[str] | None
    new: bool  # the preview checked the row as a new child


@dataclass
class SavedPreview:
    day: dt.date
    sheet: str
    header_row: int
    columns: dict[str, str]
    ignored: list[str]
    data_rows: int
    rows: list[SavedRow] = field(default_factory=list)


def _column_rules() -> str:
    """What decides how a sheet's headers map to fields: a file with the same bytes maps
    to the same columns as long as these are the same."""
    rules = [(c.key, c.kind, list(c.all_headers)) for c in lc.COLUMNS]
    text = json.dumps([FORMAT, rules, list(lc.REQUIRED_COLUMNS)], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def preview_key(*, data: bytes, township, day: dt.date) -> dict:
    return {
        "format": FORMAT,
        "sha256": hashlib.sha256(data).hexdigest(),
        "township": township.pk,
        "day": day.isoformat(),
        "columns": _column_rules(),
    }


class _Unsaveable(ValueError):
    pass


def _encode_value(name: str, value: Any) -> Any:
    if name == "responsible_director":
        return None if value is None else {"user": value.pk}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    # A value of a kind this format does not know: the write reads the file again.
    raise _Unsaveable(name)


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        return value  # {"user": id}: resolved by the write step
    return value


def _signer() -> Signer:
    # Django's signer: the site's SECRET_KEY (and its fallbacks while keys are rotated).
    return Signer(salt=_SALT, algorithm="sha256")


def save(token: str, *, key: dict, preview) -> bool:
    """Keep the rows of an error-free ``preview`` for the write step; False if not kept."""
    if not preview.ok:
        return False
    try:
        rows = [
            {
                "row": plan.source.row,
                "data": {
                    name: _encode_value(name, value) for name, value in plan.source.data.items()
                },
                "db": plan.source.db_cells,
                "circumstances": plan.source.circumstances,
                "assistance": plan.source.assistance,
                "new": plan.status == NEW,
            }
            for plan in preview.plan.rows
        ]
    except _Unsaveable:
        return False
    ledger = preview.file
    body = json.dumps(
        {
            "key": key,
            "sheet": ledger.sheet,
            "header_row": ledger.header_row,
            "columns": ledger.columns,
            "ignored": ledger.ignored,
            "data_rows": ledger.data_rows,
            "rows": rows,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return staging.keep_beside(token, SUFFIX, _signer().sign(body).encode())


def load(token: str, *, key: dict) -> SavedPreview | None:
    """The saved rows of the preview of ``token``, if they were saved for exactly ``key``
    and are signed by this site; else None (the caller reads the file again)."""
    stored = staging.peek_beside(token, SUFFIX)
    if stored is None:
        return None
    try:
        body = _signer().unsign(stored.decode())
    except (BadSignature, UnicodeDecodeError):
        return None
    try:
        payload = json.loads(body)
        if payload.get("key") != key:
            return None
        saved = SavedPreview(
            day=dt.date.fromisoformat(key["day"]),
            sheet=payload["sheet"],
            header_row=payload["header_row"],
            columns=payload["columns"],
            ignored=payload["ignored"],
            data_rows=payload["data_rows"],
        )
        for row in payload["rows"]:
            saved.rows.append(
                SavedRow(
                    row=row["row"],
                    data={name: _decode_value(value) for name, value in row["data"].items()},
                    db_cells=row["db"],
                    circumstances=row["circumstances"],
                    assistance=row["assistance"],
                    new=row["new"],
                )
            )
    except (KeyError, TypeError, ValueError):
        return None
    return saved


def discard(token: str) -> None:
    staging.discard_beside(token, SUFFIX)
