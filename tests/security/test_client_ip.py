"""Which address is the client's: REMOTE_ADDR, unless a trusted proxy vouches for another."""

from accounts.middleware import real_client_address

PROXY = ["127.0.0.1", "10.0.0.0/24"]


def meta(remote, forwarded=None):
    data = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        data["HTTP_X_FORWARDED_FOR"] = forwarded
    return data


def test_without_trusted_proxies_the_header_is_ignored():
    assert real_client_address(meta("198.51.100.7", "203.0.113.1"), []) == "198.51.100.7"


def test_an_untrusted_peer_cannot_name_another_address():
    assert real_client_address(meta("198.51.100.7", "203.0.113.1"), PROXY) == "198.51.100.7"


def test_a_trusted_proxy_names_the_client():
    assert real_client_address(meta("127.0.0.1", "203.0.113.1"), PROXY) == "203.0.113.1"


def test_entries_the_client_wrote_are_not_believed():
    forged = "6.6.6.6, 203.0.113.1"
    assert real_client_address(meta("127.0.0.1", forged), PROXY) == "203.0.113.1"


def test_a_chain_of_trusted_proxies_is_skipped():
    chain = "203.0.113.1, 10.0.0.5"
    assert real_client_address(meta("127.0.0.1", chain), PROXY) == "203.0.113.1"


def test_garbage_keeps_the_proxy_address():
    assert real_client_address(meta("127.0.0.1", "<script>"), PROXY) == "127.0.0.1"
    assert real_client_address(meta("127.0.0.1", ""), PROXY) == "127.0.0.1"
    assert real_client_address(meta("127.0.0.1"), PROXY) == "127.0.0.1"


def test_ipv6_clients():
    assert real_client_address(meta("127.0.0.1", "2001:db8::1"), PROXY) == "2001:db8::1"
