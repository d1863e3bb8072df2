"""Re-encrypt every encrypted value with the current key (the first of FIELD_ENCRYPTION_KEYS).

How to rotate (README, "加密密钥 · Encryption keys"): put a new key first in
FIELD_ENCRYPTION_KEYS and keep the old ones after it, restart, run this command, then remove
the old keys. It works in batches of primary keys, one transaction each; a value already
under the current key in the current format is left alone (its key identifier says so,
nothing is decrypted), so an interrupted run is simply started again and a second run
changes nothing. A legacy Fernet token, whatever its key, is rewritten in the current
format (core/fields.py).

``--reindex`` also recomputes every blind index from the decrypted values: run it after
BLIND_INDEX_KEY changed (lookups by ID number find nothing until it has finished).

On PostgreSQL each table it rewrote is then vacuumed and analysed: every rewritten row left a
dead copy behind, and until autovacuum's next pass the pages read them all (the ledger list
was 4× slower just after a rotation of 100,000 children, bench/RESULTS.md).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.fields import BlindIndexField, EncryptedTextField, decrypt, is_current, reencrypt


def encrypted_models():
    """(model, encrypted fields, blind-index fields) for every model with encrypted fields."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            yield model, fields, indexes


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the current key (resumable, in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--reindex", action="store_true", help="also recompute the blind indexes"
        )

    def handle(self, *, batch_size, reindex, **options):
        for model, fields, indexes in encrypted_models():
            changed = self._model(model, fields, indexes if reindex else [], batch_size)
            tidied = (changed["values"] or changed["indexes"]) and self._vacuum(model)
            self.stdout.write(
                f"{model._meta.label}: 重新加密 {changed['values']} 个值，"
                f"重算索引 {changed['indexes']} 行（共 {changed['rows']} 行）"
                + ("，已整理数据表（VACUUM ANALYZE）。" if tidied else "。")
            )

    @staticmethod
    def _vacuum(model) -> bool:
        """VACUUM (ANALYZE) the rewritten table on PostgreSQL. Not inside a transaction,
        where PostgreSQL refuses it (a caller's atomic block): autovacuum does it later."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        return True

    def _model(self, model, fields, indexes, batch_size) -> dict[str, int]:
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), model._meta.pk
        columns = ", ".join(quote(f.column) for f in fields)
        counts = {"values": 0, "indexes": 0, "rows": 0}
        last = None
        while True:
            with transaction.atomic():
                where = f"WHERE {quote(pk.column)} > %s " if last is not None else ""
                lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {quote(pk.column)}, {columns} FROM {table} {where}"  # noqa: S608
                        f"ORDER BY {quote(pk.column)} LIMIT %s{lock}",
                        [*([last] if last is not None else []), batch_size],
                    )
                    rows = cursor.fetchall()
                if not rows:
                    return counts
                for key, *tokens in rows:
                    self._row(model, table, pk, fields, indexes, key, tokens, counts)
                last = rows[-1][0]
                counts["rows"] += len(rows)

    @staticmethod
    def _row(model, table, pk, fields, indexes, key, tokens, counts) -> None:
        quote = connection.ops.quote_name
        values = {}
        for field, token in zip(fields, tokens, strict=True):
            if token and not is_current(token):
                values[field.column] = reencrypt(token)
                counts["values"] += 1
        if indexes:
            plain = {
                field.attname: (decrypt(token) if token else token)
                for field, token in zip(fields, tokens, strict=True)
            }
            for index in indexes:
                values[index.column] = index.index_of(plain.get(index.source))
            counts["indexes"] += 1
        if values:
            assignments = ", ".join(f"{quote(column)} = %s" for column in values)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s",  # noqa: S608
                    [*values.values(), key],
                )
