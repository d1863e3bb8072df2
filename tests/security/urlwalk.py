"""Walk the URL resolver: every pattern of the site, with an example URL to request.

Used by the security tests (anonymous access, CSRF, and the lead's URL classification and
IDOR matrix): as apps add URLs, the tests cover them without being edited.

    for endpoint in walk():
        endpoint.route      # "children/<int:pk>/edit/"
        endpoint.name       # "children:edit" (None for unnamed patterns)
        endpoint.callback   # the view function
        endpoint.example    # "/children/1/edit/" (None if no example could be built)
        endpoint.view_class # the class of a class-based view, else None
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

DUMMY_ID = 1

# Example values per path converter; a converter not listed here is tried with each of these.
CONVERTER_EXAMPLES = {
    "int": str(DUMMY_ID),
    "slug": "x",
    "str": "x",
    "path": str(DUMMY_ID),
    "uuid": str(uuid.UUID(int=DUMMY_ID)),
}
FALLBACK_EXAMPLES = (str(DUMMY_ID), "x", str(uuid.UUID(int=DUMMY_ID)))

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
_LITERAL_ALTERNATION = re.compile(r"^[\w-]+(\|[\w-]+)*$")


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str | None
    callback: object
    example: str | None
    params: tuple[str, ...] = field(default=())

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    @property
    def takes_id(self) -> bool:
        return bool(self.params)

    def allows(self, method: str) -> bool:
        """Whether the view says it handles this method (function views: assume yes)."""
        view_class = self.view_class
        if view_class is None:
            return True
        method = method.lower()
        return method in view_class.http_method_names and hasattr(view_class, method)

    def url(self, **values) -> str | None:
        """The example URL with some parameters replaced, e.g. ``url(pk=child.pk)``."""
        if self.example is None:
            return None
        path = self.route
        for match in _ROUTE_PARAM.finditer(self.route):
            value = values.get(match["name"], CONVERTER_EXAMPLES.get(match["converter"] or "str"))
            path = path.replace(match.group(0), str(value), 1)
        return "/" + path if "<" not in path and "(?" not in path else self.example


def _route_example(pattern, choice: int) -> tuple[str, list[str]]:
    if isinstance(pattern, RoutePattern):
        text = str(pattern)
        params = []

        def substitute(match):
            params.append(match["name"])
            converter = match["converter"] or "str"
            if converter in CONVERTER_EXAMPLES and choice == 0:
                return CONVERTER_EXAMPLES[converter]
            return FALLBACK_EXAMPLES[choice % len(FALLBACK_EXAMPLES)]

        return _ROUTE_PARAM.sub(substitute, text), params
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix, []
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        params = []

        def substitute(match):
            params.append(match["name"])
            body = match["body"]
            if _LITERAL_ALTERNATION.match(body):
                return body.split("|")[0]
            return FALLBACK_EXAMPLES[choice % len(FALLBACK_EXAMPLES)]

        text = _NAMED_GROUP.sub(substitute, regex)
        text = text.lstrip("^").removesuffix("$").removesuffix(r"\Z")
        text = re.sub(r"\\(.)", r"\1", text)
        return text, params
    return str(pattern), []


def _example(chain: list, callback) -> tuple[str | None, list[str]]:
    for choice in range(len(FALLBACK_EXAMPLES)):
        parts, params = [], []
        for pattern in chain:
            text, names = _route_example(pattern, choice)
            parts.append(text)
            params.extend(names)
        url = "/" + "".join(parts)
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.func is callback or getattr(match.func, "__wrapped__", None) is callback:
            return url, params
        if getattr(match.func, "view_class", object()) is getattr(callback, "view_class", None):
            return url, params
    return None, []


def _walk(patterns, chain: list, namespaces: list[str]) -> Iterator[Endpoint]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            spaces = [*namespaces, entry.namespace] if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, [*chain, entry.pattern], spaces)
        elif isinstance(entry, URLPattern):
            full_chain = [*chain, entry.pattern]
            route = "".join(str(p) for p in full_chain)
            name = ":".join([*namespaces, entry.name]) if entry.name else None
            example, params = _example(full_chain, entry.callback)
            yield Endpoint(route, name, entry.callback, example, tuple(params))


def walk() -> list[Endpoint]:
    """Every URL pattern of the site, in resolver order."""
    return list(_walk(get_resolver().url_patterns, [], []))
