"""The kinds of job the apps offer. An app registers its kinds in ``AppConfig.ready`` so
that this app, below them in the layers, never imports them (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class JobRefused(Exception):
    """The job cannot be done as asked; ``message`` (Chinese) is shown to its owner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What a finished job leaves: a file to download and/or data for its page."""

    data: bytes | None = None
    filename: str = ""
    result: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    # run(job, progress) -> Outcome; raises JobRefused for an answer the owner must read.
    run: Callable
    permission: str
    # Shows ``job.result_data`` on the job's page (optional).
    result_template: str = ""


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    _KINDS[kind.name] = kind


def kind_of(name: str) -> JobKind:
    return _KINDS[name]
