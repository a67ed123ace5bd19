"""Imported lazily by ``pre-4362-del-only``'s ``save()``, as upstream imported filelock.

Upstream's ``save()`` ran ``from filelock import FileLock`` and nothing had imported
filelock before, so at interpreter shutdown (``sys.meta_path is None``) the import had
to search the finders and raised ``ImportError``. In this project the reference facade
imports filelock at module import, so ``filelock`` is always cached in
``sys.modules`` and a lazy ``from filelock import FileLock`` would succeed even at
shutdown. This module is the not-yet-imported module the mutant's save path reaches
for, which puts the finder search (and its failure) back.
"""

from filelock import FileLock

__all__ = ["FileLock"]
