"""Encryption at rest for the most sensitive columns: one field type, one keyed hash.

``EncryptedTextField`` keeps plaintext in Python (pages, forms and the masking read the
attribute as before) and a Fernet token in the column (``cryptography``: AES-128-CBC with an
HMAC-SHA256, a fresh IV each time, so two equal numbers never look alike). The keys come
from the environment:

- ``FIELD_ENCRYPTION_KEYS``: Fernet keys, comma-separated, the first one current. Values are
  written with the first and read with any (``MultiFernet``), so a new key is put first,
  ``manage.py rotate_encryption_keys`` re-encrypts every row, then the old key is removed.
- ``BLIND_INDEX_KEY``: a separate key for the blind index, an HMAC-SHA256 of the value kept
  in its own column (``BlindIndexField``) for exact lookups and uniqueness; it is never
  rotated with the others (the index would have to be rebuilt from the plaintext).

A lookup on an encrypted field goes through its blind index: ``filter(id_number=x)`` and
``filter(id_number__in=[...])`` compare the HMAC of ``x`` with the index column; ``isnull``
and ``= ''`` read the column itself (empty values are stored empty, so that the table's
check constraints keep working); every other lookup (``startswith``, ``contains``, ...) is
refused, because a token cannot be searched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte and timestamp)


class DecryptionError(ValueError):
    pass


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), "
            "e.g. python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS: is the key it "
            "was written with missing from the list?"
        ) from exc


def reencrypt(token: str) -> str:
    """``token`` re-encrypted with the current (first) key; the plaintext is unchanged."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("A stored value cannot be decrypted with any key.") from exc


def is_token(value: str) -> bool:
    if not value or not value.startswith(TOKEN_PREFIX):
        return False
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True


def blind_index(value: str, *, purpose: str) -> str:
    """The keyed hash kept for exact lookup: HMAC-SHA256(BLIND_INDEX_KEY, purpose, value).

    ``purpose`` (the indexed field's name) keeps equal values of different fields apart."""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is empty.")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Plaintext in Python, a Fernet token in the database; '' and NULL are stored as such.

    ``blind_index``: the name of the model's ``BlindIndexField`` that exact and ``in``
    lookups go through; without one, the field cannot be searched by value at all."""

    description = "Text encrypted at rest"
    ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})

    def __init__(self, *args, blind_index: str | None = None, **kwargs):
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"widget": forms.TextInput}
        if self.null:
            defaults["empty_value"] = None  # as a nullable CharField: blank is NULL
        return super().formfield(**{**defaults, **kwargs})

    def get_lookup(self, lookup_name):
        if lookup_name not in self.ALLOWED_LOOKUPS:
            return None  # Django then reports an unsupported lookup (FieldError)
        return super().get_lookup(lookup_name)

    def get_transform(self, name):
        return None

    def index_field(self) -> BlindIndexField:
        if not self.blind_index:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted and has no blind index: "
                "it cannot be searched by value."
            )
        return self.model._meta.get_field(self.blind_index)


class BlindIndexField(models.CharField):
    """HMAC of another field's value (``source``), computed on every save (and by
    ``bulk_create``); NULL when the source is empty. ``bulk_update`` and partial saves
    must include it: ``with_blind_indexes`` names the fields to add.

    With ``suffix=n`` it indexes the last ``n`` characters only (a search by the tail of a
    number finds its few candidates, which are then decrypted and compared)."""

    def __init__(self, *args, source: str, suffix: int | None = None, **kwargs):
        self.source = source
        self.suffix = suffix
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.suffix:
            kwargs["suffix"] = self.suffix
        for key, default in (("max_length", 64), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                del kwargs[key]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def index_of(self, value) -> str | None:
        if value is None or value == "":
            return None
        if self.suffix:
            return blind_index(
                str(value)[-self.suffix :], purpose=f"{self.source}[-{self.suffix}:]"
            )
        return blind_index(str(value), purpose=self.source)

    def pre_save(self, model_instance, add):
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def with_blind_indexes(model, fields: Iterable[str]) -> set[str]:
    """``fields`` plus the blind indexes of those among them, for ``save(update_fields=)``
    and ``bulk_update`` (which do not recompute a field that is not named)."""
    fields = set(fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source in fields:
            fields.add(field.name)
    return fields


def fill_blind_indexes(instance) -> None:
    """Recompute every blind index of ``instance`` (before a ``bulk_update``)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            field.pre_save(instance, add=False)


class _ThroughBlindIndex(Lookup):
    prepare_rhs = False  # the right-hand side stays plaintext: it is hashed, not encrypted

    def _index_sql(self, compiler):
        if not isinstance(self.lhs, Col) or hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted field is looked up by a plain value only.")
        index = self.lhs.target.index_field()
        return compiler.compile(Col(self.lhs.alias, index)), index


@EncryptedTextField.register_lookup
class EncryptedExact(_ThroughBlindIndex):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        if self.rhs == "":
            sql, params = compiler.compile(self.lhs)  # empty is stored empty
            return f"{sql} = %s", [*params, ""]
        (sql, params), index = self._index_sql(compiler)
        return f"{sql} = %s", [*params, index.index_of(self.rhs)]


@EncryptedTextField.register_lookup
class EncryptedIn(_ThroughBlindIndex):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        values = sorted({str(value) for value in self.rhs if value not in (None, "")})
        if not values:
            raise EmptyResultSet
        (sql, params), index = self._index_sql(compiler)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{sql} IN ({placeholders})", [*params, *(index.index_of(v) for v in values)]
