"""ID numbers, document numbers and phones are encrypted at rest (core/fields.py): the
columns hold tokens, lookups and duplicate detection go through the keyed hash, and a key
rotation keeps every record readable."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from children import services
from children.choices import IdDocumentType
from children.models import Child
from children.selectors import search_q
from core import fields
from tests import factories

pytestmark = pytest.mark.django_db

DOCUMENT_TYPE = IdDocumentType.values[0]
ENCRYPTED = ["id_number", "document_number", "father_phone", "mother_phone", "guardian_phone"]


def raw_row(child) -> dict:
    columns = ", ".join(f'"{name}"' for name in ENCRYPTED)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "children_child" WHERE "id" = %s', [child.pk])
        return dict(zip(ENCRYPTED, cursor.fetchone(), strict=True))


def raw_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute('SELECT * FROM "children_child"')
        return repr(cursor.fetchall())


@pytest.fixture
def child():
    return factories.ChildFactory(
        name="张小花",
        guardian_phone="13812345678",
        father_phone="13900001111",
        mother_phone="0773-7512345",
    )


def test_the_columns_hold_no_plaintext_id_or_phone(child):
    row = raw_row(child)
    for name in ("id_number", "guardian_phone", "father_phone", "mother_phone"):
        plain = getattr(child, name)
        assert row[name] != plain and plain not in row[name], name
        assert row[name].startswith(fields.TOKEN_PREFIX)
    table = raw_table()
    for value in (child.id_number, child.id_number[-8:], "13812345678", "7512345"):
        assert value not in table


def test_the_attribute_reads_back_the_plaintext(child):
    again = Child.objects.get(pk=child.pk)
    assert again.id_number == child.id_number
    assert (again.guardian_phone, again.mother_phone) == ("13812345678", "0773-7512345")
    values = Child.objects.filter(pk=child.pk).values("id_number", "guardian_phone").get()
    assert values == {"id_number": child.id_number, "guardian_phone": "13812345678"}


def test_two_equal_numbers_never_look_alike_in_the_column():
    assert fields.encrypt("13812345678") != fields.encrypt("13812345678")


def test_lookup_by_id_number_goes_through_the_keyed_hash(child):
    other = factories.ChildFactory(name="李明")
    assert Child.objects.get(id_number=child.id_number) == child
    assert set(Child.objects.filter(id_number__in=[child.id_number, other.id_number])) == {
        child,
        other,
    }
    assert not Child.objects.filter(id_number="450328201001019999").exists()
    # A relation lookup joins and compares the hash of the joined table.
    assert Child.objects.filter(id_number__isnull=False).count() == 2
    row = raw_row(child)
    assert Child.objects.filter(id_number=row["id_number"]).count() == 0  # not the token


def test_a_search_an_encrypted_column_cannot_answer_is_refused(child):
    with pytest.raises(FieldError):
        list(Child.objects.filter(id_number__startswith="450328"))
    with pytest.raises(FieldError):
        list(Child.objects.filter(guardian_phone="13812345678"))  # no blind index


def test_search_by_the_tail_of_an_id_number(child):
    factories.ChildFactory(name="李明")
    for tail in (child.id_number[-4:], child.id_number[-6:], child.id_number):
        assert list(Child.objects.filter(search_q(tail))) == [child], tail
    assert not Child.objects.filter(search_q(child.id_number[-3:])).exists()


def test_the_unique_id_still_holds_on_the_hash_column(child):
    from django.db import IntegrityError, transaction

    twin = factories.ChildFactory.build(
        name="重复",
        id_number=child.id_number,
        village=child.village,
        township=child.township,
        birth_date=child.birth_date,
        sex=child.sex,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_duplicate_detection_still_finds_the_registered_id(child, longsheng_supervisor):
    twin = Child(name="张小花", id_number=child.id_number, village=child.village)
    with pytest.raises(ValidationError) as refused:
        services.check_duplicates(child=twin, actor=longsheng_supervisor)
    assert "id_number" in refused.value.message_dict
    document = factories.ChildFactory(
        id_number=None, document_type=DOCUMENT_TYPE, document_number="HK1234567"
    )
    same_document = Child(name="甲", document_type=DOCUMENT_TYPE, document_number="HK1234567")
    with pytest.raises(ValidationError) as refused:
        services.check_duplicates(child=same_document, actor=longsheng_supervisor)
    assert "document_number" in refused.value.message_dict
    assert raw_row(document)["document_number"] != "HK1234567"


def test_a_changed_id_number_gets_a_new_hash(child):
    replacement = factories.ChildFactory.build(birth_date=child.birth_date, sex=child.sex)
    child.id_number = replacement.id_number
    child.save(update_fields=["id_number"])
    assert Child.objects.get(id_number=replacement.id_number) == child


NEW_KEY = Fernet.generate_key().decode()


def test_rotation_reencrypts_every_row_and_keeps_it_readable(settings, child):
    others = [factories.ChildFactory(guardian_phone=f"1391234{i:04d}") for i in range(4)]
    before = {c.pk: raw_row(c) for c in [child, *others]}
    expected = {c.pk: (c.id_number, c.guardian_phone) for c in [child, *others]}
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, *old_keys]
    out = StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)
    assert "重新加密" in out.getvalue()
    for pk, row in before.items():
        assert raw_row(Child(pk=pk))["id_number"] != row["id_number"]
    # Only the new key now: every record still reads, and lookups still work.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for pk, (number, phone) in expected.items():
        again = Child.objects.get(pk=pk)
        assert (again.id_number, again.guardian_phone) == (number, phone)
        assert Child.objects.get(id_number=number).pk == pk
    # Resumable: a second run has nothing left to do.
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "重新加密 0 个值" in out.getvalue()


def set_raw(child, **columns) -> None:
    assignments = ", ".join(f'"{name}" = %s' for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "children_child" SET {assignments} WHERE "id" = %s',
            [*columns.values(), child.pk],
        )


def test_rotation_turns_legacy_and_old_key_tokens_into_current_ones(settings, child):
    """A database written before: Fernet tokens (under the current key and an older one)
    and current-format tokens under an older key. One run leaves only current tokens."""
    current = settings.FIELD_ENCRYPTION_KEYS[0]
    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    under_old_key = fields.encrypt("13900001111")
    settings.FIELD_ENCRYPTION_KEYS = [current, old_key]
    set_raw(
        child,
        id_number=Fernet(current).encrypt(child.id_number.encode()).decode(),
        guardian_phone=Fernet(old_key).encrypt(b"13812345678").decode(),
        father_phone=under_old_key,
    )
    already_current = raw_row(child)["mother_phone"]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "children.Child: 重新加密 3 个值" in out.getvalue()
    row = raw_row(child)
    header = f"{fields.TOKEN_PREFIX}{fields.key_id(current)}$"
    for name in ("id_number", "guardian_phone", "father_phone", "mother_phone"):
        assert row[name].startswith(header) and fields.is_current(row[name]), name
    assert row["mother_phone"] == already_current  # left as it was
    assert row["document_number"] == ""  # empty stays empty
    settings.FIELD_ENCRYPTION_KEYS = [current]
    again = Child.objects.get(pk=child.pk)
    assert (again.guardian_phone, again.father_phone) == ("13812345678", "13900001111")
    assert Child.objects.get(id_number=child.id_number) == child
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "重新加密 0 个值" in out.getvalue()
    assert raw_row(child) == row


def test_a_legacy_token_in_the_column_still_reads(settings, child):
    legacy = Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).encrypt(b"13812345678").decode()
    set_raw(child, guardian_phone=legacy)
    assert raw_row(child)["guardian_phone"].startswith(fields.LEGACY_TOKEN_PREFIX)
    assert Child.objects.get(pk=child.pk).guardian_phone == "13812345678"


def test_without_the_old_key_a_row_is_not_readable(settings, child):
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(fields.DecryptionError):
        Child.objects.get(pk=child.pk)
    legacy = Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).encrypt(b"13812345678").decode()
    set_raw(child, guardian_phone=legacy)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(fields.DecryptionError):
        Child.objects.values_list("guardian_phone", flat=True).get(pk=child.pk)


def test_reindex_rebuilds_the_blind_index_after_a_new_index_key(settings, child):
    settings.BLIND_INDEX_KEY = "another-blind-index-key-" + "z" * 32
    assert not Child.objects.filter(id_number=child.id_number).exists()
    call_command("rotate_encryption_keys", "--reindex", stdout=StringIO())
    assert Child.objects.get(id_number=child.id_number) == child
    assert list(Child.objects.filter(search_q(child.id_number[-4:]))) == [child]


def test_the_migration_encrypts_existing_plaintext_rows(child):
    """What 0005 does to a row written before it: plaintext in, token and hashes out."""
    import importlib

    migration = importlib.import_module("children.migrations.0005_encrypt_id_numbers_and_phones")
    plain_id = child.id_number
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "children_child" SET "id_number" = %s, "guardian_phone" = %s, '
            '"id_number_hash" = NULL, "id_number_tail_hash" = NULL WHERE "id" = %s',
            [plain_id, "13812345678", child.pk],
        )

    class Editor:
        connection = connection

    migration.encrypt_existing_rows(None, Editor)
    row = raw_row(child)
    assert row["id_number"].startswith(fields.TOKEN_PREFIX) and plain_id not in raw_table()
    again = Child.objects.get(id_number=plain_id)
    assert (again.pk, again.guardian_phone) == (child.pk, "13812345678")
    migration.encrypt_existing_rows(None, Editor)  # twice: nothing encrypted twice
    assert Child.objects.get(pk=child.pk).id_number == plain_id


def test_the_migration_keeps_a_legacy_token_and_can_be_reversed(settings, child):
    """A database where 0005 ran with Fernet: its tokens are recognised as tokens (kept,
    not encrypted again), and the reverse migration decrypts them."""
    import importlib

    migration = importlib.import_module("children.migrations.0005_encrypt_id_numbers_and_phones")
    legacy = Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).encrypt(child.id_number.encode()).decode()
    set_raw(child, id_number=legacy, id_number_hash=None)

    class Editor:
        connection = connection

    migration.encrypt_existing_rows(None, Editor)
    assert raw_row(child)["id_number"] == legacy
    assert Child.objects.get(id_number=child.id_number) == child  # the hash is filled
    migration.decrypt_existing_rows(None, Editor)
    row = raw_row(child)
    assert (row["id_number"], row["guardian_phone"]) == (child.id_number, "13812345678")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rotation_vacuums_the_tables_it_rewrote_on_postgresql(settings):
    """Every re-encrypted row leaves a dead copy: the command tidies the table at once."""
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    factories.ChildFactory(guardian_phone="13912340000")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "children.Child: 重新加密 2 个值" in out.getvalue()  # its ID and phone
    assert "已整理数据表（VACUUM ANALYZE）" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = 'children_child'"
        )
        assert cursor.fetchone() == (True, True)
    # Nothing left to rewrite: nothing to tidy either.
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "VACUUM" not in out.getvalue()
