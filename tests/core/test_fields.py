"""The token format of core/fields.py: what ``encrypt`` writes (AES-256-GCM under the
current key, named by its key identifier), what ``decrypt`` reads (that format under any
listed key, and the Fernet tokens written before), and what is refused."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

from core import fields

PLAIN = "45032820100101123X"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def current_key(settings) -> str:
    return settings.FIELD_ENCRYPTION_KEYS[0]


def hkdf(key: str, info: bytes, length: int) -> bytes:
    raw = base64.urlsafe_b64decode(key)
    return HKDF(algorithm=SHA256(), length=length, salt=None, info=info).derive(raw)


def body(token: str) -> bytes:
    return base64.urlsafe_b64decode(token.split("$", 2)[2])


def test_a_new_token_is_aes_256_gcm_under_the_current_key(settings):
    """The format, re-derived here independently: the stored data depends on it."""
    key = current_key(settings)
    token = fields.encrypt(PLAIN)
    prefix, kid, _ = token.split("$")
    kid_of_key = hkdf(key, b"longsheng-care field encryption v2: key identifier", 4).hex()
    assert f"{prefix}$" == fields.TOKEN_PREFIX and kid == kid_of_key == fields.key_id(key)
    blob = body(token)
    nonce, sealed = blob[:12], blob[12:]
    assert len(sealed) == len(PLAIN) + 16  # the ciphertext and GCM's 128-bit tag
    aes_key = hkdf(key, b"longsheng-care field encryption v2: AES-256-GCM key", 32)
    header = f"{prefix}${kid}$".encode()  # authenticated with the data
    assert AESGCM(aes_key).decrypt(nonce, sealed, header).decode() == PLAIN
    assert fields.decrypt(token) == PLAIN


def test_the_aes_key_is_derived_not_the_key_bytes_themselves(settings):
    token = fields.encrypt(PLAIN)
    blob = body(token)
    raw = AESGCM(base64.urlsafe_b64decode(current_key(settings)))
    with pytest.raises(InvalidTag):
        raw.decrypt(blob[:12], blob[12:], token[:12].encode())


def test_the_key_identifier_names_the_key_and_tells_nothing_of_it(settings):
    key = current_key(settings)
    kid = fields.key_id(key)
    assert len(kid) == fields.KID_LENGTH and int(kid, 16) >= 0
    assert fields.key_id(NEW_KEY) != kid and fields.key_id(f" {key} ") == kid
    raw = base64.urlsafe_b64decode(key)
    assert kid not in (key, raw.hex(), base64.b16encode(raw).decode().lower())
    assert fields.encrypt(PLAIN).startswith(f"{fields.TOKEN_PREFIX}{kid}$")


def test_equal_plaintexts_never_give_equal_tokens_or_nonces():
    tokens = [fields.encrypt(PLAIN) for _ in range(50)]
    assert len(set(tokens)) == 50
    assert len({body(token)[:12] for token in tokens}) == 50
    assert {fields.decrypt(token) for token in tokens} == {PLAIN}


def test_no_plaintext_starts_like_a_token():
    for plain in (PLAIN, "13812345678", "0773-7512345", "+8613812345678", "HK-1234567"):
        assert not plain.startswith((fields.TOKEN_PREFIX, fields.LEGACY_TOKEN_PREFIX))
        assert not fields.is_token(plain)


def test_a_legacy_fernet_token_still_reads_with_any_listed_key(settings):
    legacy = Fernet(current_key(settings)).encrypt(PLAIN.encode()).decode()
    assert legacy.startswith(fields.LEGACY_TOKEN_PREFIX)
    assert fields.decrypt(legacy) == PLAIN and fields.is_token(legacy)
    under_old = Fernet(OLD_KEY).encrypt(PLAIN.encode()).decode()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert fields.decrypt(under_old) == PLAIN and fields.is_token(under_old)
    assert not fields.is_current(under_old)


def test_a_token_under_an_old_key_reads_while_the_key_is_listed(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    token = fields.encrypt(PLAIN)
    assert fields.is_current(token)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert fields.decrypt(token) == PLAIN and fields.is_token(token)
    assert not fields.is_current(token)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(fields.DecryptionError, match="missing from the list"):
        fields.decrypt(token)
    assert not fields.is_token(token)
    legacy = Fernet(OLD_KEY).encrypt(PLAIN.encode()).decode()
    with pytest.raises(fields.DecryptionError, match="missing from the list"):
        fields.decrypt(legacy)


def test_reencrypt_gives_a_current_token_whatever_it_was_written_with(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old = fields.encrypt(PLAIN)
    legacy = Fernet(OLD_KEY).encrypt(PLAIN.encode()).decode()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    for token in (old, legacy, fields.encrypt(PLAIN)):
        again = fields.reencrypt(token)
        assert again.startswith(f"{fields.TOKEN_PREFIX}{fields.key_id(NEW_KEY)}$")
        assert fields.is_current(again) and fields.decrypt(again) == PLAIN
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(fields.DecryptionError, match="any key"):
        fields.reencrypt(old)


def flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_a_tampered_token_is_refused():
    token = fields.encrypt(PLAIN)
    header = len(fields.TOKEN_PREFIX) + fields.KID_LENGTH + 1
    tampered = [
        flip(token, header + 2),  # the nonce
        flip(token, header + 20),  # the ciphertext
        flip(token, len(token) - 4),  # the tag
        flip(token, header - 2),  # the key identifier
        token[:-4],  # cut short
        token[: header + 8],  # hardly anything after the header
        token + "AAAA",  # more than was sealed
        token[:header] + "!" + token[header + 1 :],  # not base64
        token.replace(fields.TOKEN_PREFIX, "v3$", 1),  # another format
        fields.TOKEN_PREFIX,
        "",
    ]
    legacy = Fernet(Fernet.generate_key()).encrypt(PLAIN.encode()).decode()
    legacy = flip(legacy, 40)
    for value in [*tampered, legacy]:
        with pytest.raises(fields.DecryptionError):
            fields.decrypt(value)
        assert not fields.is_token(value)


def test_the_bulk_decryptor_reads_and_refuses_what_decrypt_does(settings):
    # The export decrypts through decryptor(): the same answers as decrypt, token by token.
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old = fields.encrypt(PLAIN)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    legacy = Fernet(OLD_KEY).encrypt(PLAIN.encode()).decode()
    decrypt = fields.decryptor()
    assert [decrypt(t) for t in (fields.encrypt(PLAIN), old, legacy)] == [PLAIN] * 3
    current = fields.encrypt(PLAIN)
    header = len(fields.TOKEN_PREFIX) + fields.KID_LENGTH + 1
    for value in [flip(current, header + 20), current[:-4], flip(legacy, 40), ""]:
        with pytest.raises(fields.DecryptionError):
            decrypt(value)


def test_a_changed_key_list_is_used_at_once(settings):
    token = fields.encrypt(PLAIN)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert fields.encrypt(PLAIN).startswith(f"{fields.TOKEN_PREFIX}{fields.key_id(NEW_KEY)}$")
    with pytest.raises(fields.DecryptionError):
        fields.decrypt(token)


def test_keys_that_are_not_fernet_keys_are_refused(settings):
    for keys in ([], ["not-a-key"], [base64.urlsafe_b64encode(b"short").decode()]):
        settings.FIELD_ENCRYPTION_KEYS = keys
        with pytest.raises(ImproperlyConfigured):
            fields.encrypt(PLAIN)


def test_two_keys_with_the_same_identifier_are_refused(settings, monkeypatch):
    """One chance in 4 billion per pair of keys, made certain here."""
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setattr(fields, "key_id", lambda key: "0badcafe")
    try:
        settings.FIELD_ENCRYPTION_KEYS = [first, second]
        with pytest.raises(ImproperlyConfigured, match="same identifier"):
            fields.encrypt(PLAIN)
        settings.FIELD_ENCRYPTION_KEYS = [first, first]  # the same key twice is harmless
        assert fields.decrypt(fields.encrypt(PLAIN)) == PLAIN
    finally:
        fields._keyring.cache_clear()  # no keyring built with the fake identifier is kept
