"""A9: an autosave that fails is reported, not lost in silence."""

from __future__ import annotations

import gc

import pytest

from pytest_trtcache.targets import NotObservable

from pytest_trtcache.contract.reported import capture_reports

from .blobs import ENTRIES_A


def _autosaving(runtime, path):
    rc = runtime.api.RuntimeCache(str(path), autosave_on_del=True)
    handle = runtime.handle_of(rc)
    runtime.materialize(handle)
    runtime.add_kernels(handle, ENTRIES_A)
    return rc


@pytest.mark.clause("A9")
@pytest.mark.parametrize("path_kind", ["a file as parent", "unwritable dir"])
@pytest.mark.parametrize("trigger", ["__del__", "at-exit hook"])
def test_a_failed_autosave_is_reported(runtime, check, tmp_path, path_kind, trigger, monkeypatch):
    if path_kind == "a file as parent":
        blocker = tmp_path / "not-a-dir"
        blocker.write_bytes(b"x")
        path = blocker / "cache.bin"  # makedirs/open fail: NotADirectoryError
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        path = locked / "sub" / "cache.bin"
        locked.chmod(0o500)
        if _can_write_anyway(locked):
            pytest.skip("running as a user who ignores directory permissions (root): use the other parametrization")
    api = runtime.api
    with check.step(f"autosave through the {trigger} to an unusable path ({path_kind})"):
        with capture_reports() as reports:
            rc = _autosaving(runtime, path)
            if trigger == "__del__":
                del rc
                gc.collect()
            else:
                if api.autosave_at_exit is None:
                    raise NotObservable(f"{runtime.target.spec}:{runtime.name} has no at-exit helper (_autosave_at_exit)", part="at-exit helper", runtime=runtime.id)
                api.autosave_at_exit(__import__("weakref").ref(rc))
                del rc
                gc.collect()
        check.true("a warning that the autosave failed", bool(reports), observed="nothing reported")
        check.true(f"the warning to name the path (got: {reports.text()})", str(path) in reports.text() or path.name in reports.text())


def _can_write_anyway(directory) -> bool:
    probe = directory / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True
