"""Encryption at rest for the most sensitive columns: one field type, one keyed hash.

``EncryptedTextField`` keeps plaintext in Python (pages, forms and the masking read the
attribute as before) and a token in the column. The keys come from the environment:

- ``FIELD_ENCRYPTION_KEYS``: Fernet-format keys (32 random bytes, url-safe base64),
  comma-separated, the first one current. Values are written with the first and read with
  any, so a new key is put first, ``manage.py rotate_encryption_keys`` re-encrypts every
  row, then the old key is removed.
- ``BLIND_INDEX_KEY``: a separate key for the blind index, an HMAC-SHA256 of the value kept
  in its own column (``BlindIndexField``) for exact lookups and uniqueness; it is never
  rotated with the others (the index would have to be rebuilt from the plaintext).

What is written (``TOKEN_PREFIX``): ``v2$<kid>$<url-safe base64 of nonce | ciphertext | tag>``,
AES-256-GCM (``cryptography``'s ``AESGCM``) with a fresh random 96-bit nonce per value, so
two equal numbers never look alike, and the header ``v2$<kid>$`` authenticated as
associated data. The AES key is not the configured key's bytes themselves but HKDF-SHA256
of them with an info string of its own: the same 32 bytes also key the legacy Fernet tokens
(HMAC-SHA256 and AES-128-CBC on its two halves), and a key derived for this one purpose
keeps the two algorithms from ever sharing key material. ``kid`` is 8 hex characters of
another HKDF output of the key (another info string): it names the key, so decryption goes
straight to the right one and the rotation sees which tokens are current without
decrypting them, and it tells nothing about the AES key. Random nonces bound one key to
about 2**32 encryptions (NIST SP 800-38D), thousands of times what this county's records
will ever write; rotate the key yearly anyway (README).

What is read besides: the Fernet tokens written before (``LEGACY_TOKEN_PREFIX``; AES-128-CBC
with HMAC-SHA256, about 30 µs a value against under 4 µs for the current format, which an
export of 100 000 rows with four values each feels), with any key of the list, until
``rotate_encryption_keys`` has turned them into current ones.

A lookup on an encrypted field goes through its blind index: ``filter(id_number=x)`` and
``filter(id_number__in=[...])`` compare the HMAC of ``x`` with the index column; ``isnull``
and ``= ''`` read the column itself (empty values are stored empty, so that the table's
check constraints keep working); every other lookup (``startswith``, ``contains``, ...) is
refused, because a token cannot be searched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.dispatch import receiver

# What is written now. "$" is in no ID number, document number or phone (digits, letters,
# "-", "+"), nor in base64: no plaintext and no Fernet token starts so.
TOKEN_PREFIX = "v2$"
LEGACY_TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte and timestamp)
KID_LENGTH = 8  # hex characters
_HEADER_LENGTH = len(TOKEN_PREFIX) + KID_LENGTH + 1  # "v2$" + kid + "$"
_NONCE_BYTES = 12  # 96 bits, GCM's native nonce
_AES_KEY_INFO = b"longsheng-care field encryption v2: AES-256-GCM key"
_KID_INFO = b"longsheng-care field encryption v2: key identifier"

_NOT_A_KEY = (
    "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), "
    "e.g. python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)
_NOT_DECRYPTABLE = (
    "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS: is the key it "
    "was written with missing from the list?"
)


class DecryptionError(ValueError):
    pass


def _hkdf(key: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=None, info=info).derive(key)


def key_id(key: str) -> str:
    """The identifier a token written with ``key`` (a FIELD_ENCRYPTION_KEYS entry) carries."""
    return _hkdf(_key_bytes(key), _KID_INFO, KID_LENGTH // 2).hex()


def _key_bytes(key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
    except (binascii.Error, UnicodeError) as exc:
        raise ImproperlyConfigured(_NOT_A_KEY) from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(_NOT_A_KEY)
    return raw


class _Keyring:
    """Everything derived from one FIELD_ENCRYPTION_KEYS list, built once (``keyring``):
    the current key's header and cipher, the cipher of every key by header, and the
    Fernet keys that read the legacy tokens."""

    __slots__ = ("by_header", "current", "header", "header_bytes", "legacy")

    def __init__(self, keys: tuple[str, ...]):
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
        self.by_header: dict[str, tuple[AESGCM, bytes]] = {}
        seen: dict[str, bytes] = {}
        for key in keys:
            raw = _key_bytes(key)
            header = f"{TOKEN_PREFIX}{key_id(key)}$"
            if header in seen:
                if seen[header] != raw:  # 1 in 4 billion per pair: generate another key
                    raise ImproperlyConfigured(
                        "Two keys of FIELD_ENCRYPTION_KEYS have the same identifier: "
                        "replace the newer one with a freshly generated key."
                    )
                continue  # the same key listed twice
            seen[header] = raw
            aead = AESGCM(_hkdf(raw, _AES_KEY_INFO, 32))
            self.by_header[header] = (aead, header.encode("ascii"))
        self.header = next(iter(self.by_header))
        self.current, self.header_bytes = self.by_header[self.header]
        self.legacy = MultiFernet([Fernet(key.strip()) for key in keys])


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> _Keyring:
    return _Keyring(keys)


_current_keyring: _Keyring | None = None


def keyring() -> _Keyring:
    """The keyring of FIELD_ENCRYPTION_KEYS. Kept in a module global, not looked up per
    call: reading a setting costs as much as half a decryption. A changed setting (tests:
    ``override_settings``, pytest-django's ``settings``) sends ``setting_changed``, which
    drops it; the production settings never change while the process runs."""
    global _current_keyring
    ring = _current_keyring
    if ring is None:
        ring = _current_keyring = _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))
    return ring


@receiver(setting_changed)
def _forget_keyring(*, setting, **kwargs):
    global _current_keyring
    if setting == "FIELD_ENCRYPTION_KEYS":
        _current_keyring = None


# Url-safe base64 through binascii directly (twice as fast as base64.urlsafe_b64*).
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def encrypt(text: str) -> str:
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + ring.current.encrypt(nonce, text.encode(), ring.header_bytes)
    return ring.header + binascii.b2a_base64(sealed, newline=False).translate(_TO_URLSAFE).decode(
        "ascii"
    )


def _open_sealed(entry, token: str) -> str:
    """A current-format token under the key of ``entry`` (its AEAD and header), opened."""
    aead, header = entry
    try:
        body = token[_HEADER_LENGTH:].encode("ascii").translate(_FROM_URLSAFE)
        blob = binascii.a2b_base64(body, strict_mode=True)
        return aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], header).decode()
    except (InvalidTag, ValueError) as exc:  # binascii.Error, UnicodeError, short nonce
        raise DecryptionError(_NOT_DECRYPTABLE) from exc


def decrypt(token: str) -> str:
    ring = keyring()
    entry = ring.by_header.get(token[:_HEADER_LENGTH])
    if entry is not None:
        return _open_sealed(entry, token)
    if token.startswith(TOKEN_PREFIX):  # written with a key that is no longer in the list
        raise DecryptionError(_NOT_DECRYPTABLE)
    try:
        return ring.legacy.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(_NOT_DECRYPTABLE) from exc


def decryptor() -> Callable[[str], str]:
    """``decrypt`` bound to the current keyring, for a loop over many tokens (the ledger
    export decrypts four or five values a row): the keyring and its ciphers are looked up
    once, not once a value. Anything but a current-format token under a known key (a
    legacy Fernet token, a damaged one) goes through ``decrypt`` itself, errors included."""
    by_header = keyring().by_header

    def decrypt_one(token: str) -> str:
        entry = by_header.get(token[:_HEADER_LENGTH])
        return decrypt(token) if entry is None else _open_sealed(entry, token)

    return decrypt_one


def is_current(token: str) -> bool:
    """Whether ``token`` is in the current format under the current key, by its header
    alone (nothing is decrypted): what ``rotate_encryption_keys`` leaves as it is."""
    return token.startswith(keyring().header)


def reencrypt(token: str) -> str:
    """``token`` re-encrypted with the current (first) key in the current format, whatever
    key and format it was written with; the plaintext is unchanged."""
    try:
        plain = decrypt(token)
    except DecryptionError as exc:
        raise DecryptionError("A stored value cannot be decrypted with any key.") from exc
    return encrypt(plain)


def is_token(value: str) -> bool:
    """Whether ``value`` is a token (current or legacy format) that the keys decrypt."""
    if not value or not value.startswith((TOKEN_PREFIX, LEGACY_TOKEN_PREFIX)):
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
    """Plaintext in Python, a token in the database; '' and NULL are stored as such.

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
