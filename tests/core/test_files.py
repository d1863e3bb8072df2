"""core.files.write_whole: a file is there whole, private, or not at all."""

import os
import stat

import pytest

from core.files import write_whole


def test_the_file_is_written_whole_and_private(tmp_path):
    target = tmp_path / "result.xlsx"
    write_whole(target, b"PK\x03\x04 whole")
    assert target.read_bytes() == b"PK\x03\x04 whole"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["result.xlsx"]


def test_a_write_that_fails_half_way_leaves_nothing_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "result.xlsx"
    write_whole(target, b"the old result")

    def disk_full(fd):
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_whole(target, b"a new result, never finished")
    assert target.read_bytes() == b"the old result"
    assert [p.name for p in tmp_path.iterdir()] == ["result.xlsx"]
