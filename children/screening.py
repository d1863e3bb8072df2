"""Where the screening library used to live: ``children.screening.score`` stays importable.

The instruments and their scoring moved beside their only user, ``care.screening``. Scripts
written against the old path (``from children.screening import score``) keep working through
this re-export; new code imports ``care.screening``.
"""

from care.screening import *  # noqa: F403
from care.screening import __all__  # noqa: F401
