"""``python -m pytest_trtcache ...`` is the ``trtcache`` command."""

import sys

from pytest_trtcache.commands.cli import main

sys.exit(main())
