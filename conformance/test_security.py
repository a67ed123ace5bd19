"""X1, X2: a shared machine must not be able to turn ``save()`` against its user."""

from __future__ import annotations

import os
import stat

import pytest

from pytest_trtcache.reference.kernels import decode
from pytest_trtcache.contract.reported import capture_reports

from .blobs import BLOB_A, ENTRIES_A

PRECIOUS = b"the user's own file, which a planted symlink points at\n"


def _facade(runtime, path, *, entries=True):
    rc = runtime.api.RuntimeCache(str(path))
    if entries:
        handle = runtime.handle_of(rc)
        runtime.materialize(handle)
        runtime.add_kernels(handle, ENTRIES_A)
    return rc


@pytest.mark.clause("X1")
@pytest.mark.parametrize("where", ["temp", "lock", "target"])
@pytest.mark.parametrize("content", ["entries", "nothing"])
def test_save_never_writes_through_a_planted_symlink(runtime, check, tmp_path, where, content):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    path = cache_dir / "cache.bin"
    victim = tmp_path / "victim.txt"
    victim.write_bytes(PRECIOUS)
    planted = {"temp": f"{path}.tmp", "lock": f"{path}.lock", "target": str(path)}[where]
    os.symlink(victim, planted)
    rc = _facade(runtime, path, entries=content == "entries")
    with check.step(f"save() with {content} to save, a symlink planted at the {where} path"):
        try:
            rc.save()
        except Exception:
            pass  # refusing is allowed; writing through is not
        check.equal("the symlink's target file", victim.read_bytes(), PRECIOUS)
    if where == "target" and content == "entries" and path.exists() and not path.is_symlink():
        check.equal("the cache file that replaced the symlink", path.read_bytes(), BLOB_A)


@pytest.mark.clause("X2")
@pytest.mark.parametrize("operation", ["save", "load"])
def test_a_directory_others_can_write_is_refused_or_reported(runtime, check, tmp_path, operation):
    shared = tmp_path / "shared"
    shared.mkdir()
    path = shared / "cache.bin"
    if operation == "load":
        _facade(runtime, path).save()  # a file to load, written while the dir was private
    shared.chmod(0o777 | stat.S_ISVTX)  # like /tmp: others can plant names here
    rc = _facade(runtime, path, entries=operation == "save")
    with check.step(f"{operation}() in a world-writable directory"):
        refused = None
        with capture_reports() as reports:
            try:
                getattr(rc, operation)()
            except Exception as exc:
                refused = f"{type(exc).__name__}: {exc}"
        check.true(
            "the operation to be refused (an error) or reported (a warning)",
            bool(refused or reports),
            observed=f"no error, no warning; file {'exists' if path.exists() else 'absent'}",
        )
        if refused is None and operation == "save":
            check.equal("the entries written", decode(path.read_bytes()), ENTRIES_A)
