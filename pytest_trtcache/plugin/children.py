"""pytest wiring for child processes: the session spawner, ``spawn``, ``runtime_pair``.

Registered by ``plugin.hooks.pytest_configure``. The spawner is per pytest process (so per
xdist worker): its fork server starts on first use and is closed at session end, and
every path it writes is under that process's basetemp.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

import pytest

from pytest_trtcache.plugin.fixtures import selected_runtimes, unavailable
from pytest_trtcache.plugin.keys import PEER_KEY, SPAWNER_KEY, TARGET_KEY
from pytest_trtcache.spawn.channel import SpawnerChannel
from pytest_trtcache.spawn.pairs import PairRuns, RuntimePair, all_pairs, step_for
from pytest_trtcache.spawn.protocol import Observation
from pytest_trtcache.spawn.spawners import Child, Spawner, make_spawner
from pytest_trtcache.targets import Runtime, Target

if TYPE_CHECKING:
    from pytest_trtcache.lifecycle import Channel


def peer_of(config: pytest.Config) -> Optional[Target]:
    """The peer, resolved once in ``pytest_configure`` (``plugin.session``)."""
    return config.stash[PEER_KEY]


def _pairs(config: pytest.Config) -> list[RuntimePair]:
    """Every pair of the run; a side of the target's own is one of ``--trtcache-runtimes``."""
    target = config.stash[TARGET_KEY]
    chosen = set(selected_runtimes(config, target))
    mine = lambda rt: rt.target is not target or rt.name in chosen  # noqa: E731  (peer sides always run)
    return [p for p in all_pairs(target, peer_of(config)) if mine(p.saver) and mine(p.loader)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "runtime_pair" in metafunc.fixturenames:
        pairs = _pairs(metafunc.config)
        if metafunc.definition.get_closest_marker("within_target") is not None:
            pairs = [p for p in pairs if p.saver.target is p.loader.target]
        ids = [pair.id for pair in pairs]
        # The param is the id string: report._runtime_of reads it as the "runtime".
        metafunc.parametrize("runtime_pair", ids, indirect=True, ids=ids)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"trtcache: spawn {config.getoption('trtcache_spawn')}, child timeout {config.getoption('trtcache_timeout'):g} s"]


@pytest.fixture(scope="session")
def trtcache_spawner(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spawner]:
    """Starts children for this pytest process (``--trtcache-spawn``)."""
    target = pytestconfig.stash[TARGET_KEY]
    peer = peer_of(pytestconfig)
    preload = [target.spec] + ([peer.spec] if peer is not None else [])
    log = str(tmp_path_factory.getbasetemp() / "trtcache-fork-server.log")

    def notify(message: str) -> None:
        reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and not hasattr(pytestconfig, "workerinput"):
            reporter.write_line(message, yellow=True)
        else:  # an xdist worker has no terminal: a warning reaches the controller's summary
            import warnings

            warnings.warn(pytest.PytestWarning(message), stacklevel=1)

    spawner = make_spawner(pytestconfig.getoption("trtcache_spawn"), preload, log, notify)
    pytestconfig.stash[SPAWNER_KEY] = spawner  # the report names it
    with _sigterm_interrupts():
        yield spawner
        spawner.close()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C (``KeyboardInterrupt``), so pytest still tears the
    session down and the spawner kills its children; by default SIGTERM ends the process
    at once and leaves exec'd children running."""
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield  # someone else owns SIGTERM (or a thread cannot set handlers)
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="session")
def trtcache_pair_runs(trtcache_spawner: Spawner, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> PairRuns:
    timeout = pytestconfig.getoption("trtcache_timeout")
    # xdist workers of one run share their basetemp's parent; a plain run's parent is
    # shared with other runs, so it keeps to its own basetemp.
    worker = hasattr(pytestconfig, "workerinput")
    shared = str(tmp_path_factory.getbasetemp().parent / "trtcache-pairs") if worker else None
    return PairRuns(lambda step: trtcache_spawner.run(step, timeout), str(tmp_path_factory.mktemp("pairs")), shared)


@pytest.fixture
def runtime_pair(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> RuntimePair:
    """(saver, loader) runtimes; unavailable pairs skip with the reason."""
    pair = next(p for p in _pairs(pytestconfig) if p.id == request.param)
    for rt in (pair.saver, pair.loader):
        reason = rt.unavailable_reason()
        if reason:
            raise unavailable(rt.id, reason)
    return pair


SpawnFn = Callable[..., Observation]


@pytest.fixture
def spawn(trtcache_spawner: Spawner, pytestconfig: pytest.Config, tmp_path) -> SpawnFn:
    """``spawn(runtime, op, channel, artifact=None, workdir=None) -> Observation``: one step
    in a child of ``runtime``; paths default to the test's tmp dir."""
    timeout = pytestconfig.getoption("trtcache_timeout")
    counter = iter(range(1_000_000))

    def run(runtime: Runtime, op: str, channel: str, artifact: Optional[str] = None, workdir: Optional[str] = None) -> Observation:
        reason = runtime.unavailable_reason()
        if reason:
            raise unavailable(runtime.id, reason)
        workdir = workdir or str(tmp_path / f"child{next(counter)}-{op}-{runtime.id}")
        artifact = artifact or os.path.join(workdir, "artifact.bin")
        return trtcache_spawner.run(step_for(runtime, op, channel, workdir, artifact), timeout)

    return run


StartFn = Callable[[str, Any, str], Child]


@pytest.fixture
def start_child(trtcache_spawner: Spawner, tmp_path) -> Iterator[StartFn]:
    """``start_child(entry, payload, name) -> Child``: a child running ``entry(payload)``
    (``"module:function"`` taking one dataclass) through this run's spawner (a fork of
    the warm server, or a fresh interpreter), returned at once so several can run
    together. Its stdout and stderr go to ``tmp_path/name.out`` and ``.err``;
    ``Child.wait(timeout)`` kills it with its process group past the timeout, and the
    test's teardown kills (with its group) every child still running."""
    started: list[Child] = []

    def start(entry: str, payload: Any, name: str) -> Child:
        child = trtcache_spawner.start(entry, payload, str(tmp_path / f"{name}.out"), str(tmp_path / f"{name}.err"))
        started.append(child)
        return child

    yield start
    for child in started:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.fixture
def trtcache_channel(runtime: Runtime, trtcache_spawner: Spawner, pytestconfig: pytest.Config, tmp_path) -> "Channel":
    """The lifecycle's cross-process channel for ``runtime``: each send is a child of this
    run's spawner (:class:`~pytest_trtcache.spawn.channel.SpawnerChannel`)."""
    timeout = pytestconfig.getoption("trtcache_timeout")
    return SpawnerChannel(trtcache_spawner, runtime.target.spec, runtime.name, str(tmp_path / "channel"), timeout)
