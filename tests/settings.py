"""The tests' settings: the project's own, with a development key set explicitly.

forum.settings refuses to start without SECRET_KEY when DEBUG is off (as it is in
tests); this key exists only for tests and never protects real data.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-5c1f0a7e93d2b8c4a6e1f7d3b9c2a8e4f6d0b1c3")

from forum.settings import *  # noqa: F403
