"""The example deployment logs paths without query strings: a search for a child's name
(?q=张小花) must not land in nginx's or gunicorn's access log."""

import re
from pathlib import Path

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
QUERY_VARIABLES = ("$request ", "$request\"", "$request'", "$request_uri", "$args", "$arg_",
                   "$query_string", "$is_args", "$http_referer")  # fmt: skip


def nginx_conf() -> str:
    return (DEPLOY / "nginx" / "longsheng-care.conf").read_text()


def test_nginx_log_format_has_the_path_only():
    conf = nginx_conf()
    formats = re.findall(r"log_format\s+(\w+)((?:\s+'[^']*')+)\s*;", conf)
    assert formats, "the nginx example defines its own log_format"
    for name, body in formats:
        assert "$uri" in body, name
        for variable in QUERY_VARIABLES:
            assert variable not in body + " ", (name, variable)


def test_every_nginx_access_log_uses_that_format():
    conf = nginx_conf()
    names = set(re.findall(r"log_format\s+(\w+)", conf))
    logs = re.findall(r"^\s*access_log\s+([^;]+);", conf, re.M)
    assert logs
    for entry in logs:
        parts = entry.split()
        assert parts[0] == "off" or (len(parts) >= 2 and parts[1] in names), entry


def test_gunicorn_access_log_has_the_path_only():
    text = (DEPLOY / "gunicorn.conf.py").read_text()
    fmt = re.search(r"access_log_format\s*=\s*'([^']*)'", text).group(1)
    assert "%(U)s" in fmt
    for item in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, referer
        assert item not in fmt
