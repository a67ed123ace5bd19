"""The cosmic-ray session behind ``trtcache mutate``.

cosmic-ray (not a home-made mutator) generates the mutants (``cosmic-ray init``), applies
each one to a file on disk and runs the test command, and distributes the work over
HTTP workers (``cosmic-ray http-worker``): its own distributed mode, which is also how
``-j N`` runs N local workers, each in its own copy of the tree. Steps:

1. lay out worker tree 0 (:mod:`.trees`) and write the session's config;
2. ``cosmic-ray init`` there; with ``--sample N --seed S`` mark all but N mutants skipped;
3. run the unmutated tree through the test command: it must pass (else nothing measured
   means anything), and its time sets the per-mutant timeout;
4. copy the tree for each further worker, start the workers, ``cosmic-ray exec``,
   printing progress from the session database;
5. read the results (:mod:`.result`).
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from pytest_trtcache.launch import interrupts

from . import result as result_mod
from . import deps, run_one, trees

CONFIG, DATABASE = "cosmic-ray.toml", "session.sqlite"
TEST_COMMAND = "python -m pytest_trtcache.mutation.run_one"
WORKER_START_S = 60.0
_COSMIC_RAY = ["-c", "import sys; from cosmic_ray.cli import main; sys.exit(main())"]


@dataclass
class Options:
    target: str = "reference"
    paths: list[str] = field(default_factory=list)
    sample: Optional[int] = None
    seed: int = 0
    jobs: int = 1
    timeout: Optional[float] = None
    known_gaps: Optional[str] = None
    level: Optional[str] = None
    worker_urls: list[str] = field(default_factory=list)
    session_dir: Optional[str] = None  # keep the session here (default: a temp dir)


def engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"cosmic-ray {version('cosmic-ray')}"
    except PackageNotFoundError:
        raise trees.MutateError("trtcache mutate needs cosmic-ray, which is not installed here: pip install 'pytest-trtcache[mutate]'") from None


def cosmic_ray(*args: str) -> list[str]:
    """The argv that runs cosmic-ray's CLI with this interpreter (it has no ``__main__``)."""
    return [sys.executable, *_COSMIC_RAY, *args]


def worker_environment(tree: trees.Tree, tree_dir: str, session: str) -> dict:
    env = trees.environment(tree, tree_dir)
    env[run_one.SESSION_ENV] = session
    # the test command says ``python``: this interpreter, on every worker that runs it
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


def _write_config(path: str, tree: trees.Tree, timeout: float, urls: list[str]) -> None:
    toml = deps.toml()
    config = {"cosmic-ray": {
        "module-path": list(tree.files),
        "timeout": float(timeout),
        "excluded-modules": [],
        "test-command": TEST_COMMAND,
        "distributor": {"name": "http", "http": {"worker-urls": list(urls)}},
    }}
    with open(path, "w", encoding="utf-8") as f:
        toml.dump(config, f)


def _checked(argv: list[str], cwd: str, what: str, env: Optional[dict] = None) -> None:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise trees.MutateError(f"{what} failed (exit {done.returncode}): {shlex.join(argv)}\n{(done.stdout + done.stderr)[-3000:]}")


def _sample(database: str, count: int, seed: int) -> int:
    """Mark all but ``count`` mutants skipped, chosen by ``seed`` from a fixed order."""
    cr = deps.cosmic_ray()

    with cr.use_db(database, mode=cr.WorkDB.Mode.open) as db:
        items = sorted(db.work_items, key=lambda w: [(str(m.module_path), m.operator_name, m.occurrence) for m in w.mutations])
        keep = set(w.job_id for w in random.Random(seed).sample(items, min(count, len(items))))
        skipped = [w.job_id for w in items if w.job_id not in keep]
        if skipped:
            db.set_multiple_results(skipped, cr.WorkResult(worker_outcome=cr.WorkerOutcome.SKIPPED))
        return len(items)


def _count(database: str) -> int:
    cr = deps.cosmic_ray()

    with cr.use_db(database, mode=cr.WorkDB.Mode.open) as db:
        return db.num_work_items


def baseline(tree: trees.Tree, tree_dir: str, session: str) -> tuple[float, dict]:
    """Run the unmutated tree through ``run_one --baseline``: (seconds, its fields), or a
    clear error when the original already fails a test that no known gap names."""
    started = time.monotonic()
    done = subprocess.run(shlex.split(TEST_COMMAND) + ["--baseline"], cwd=tree_dir, capture_output=True, text=True,
                          env=worker_environment(tree, tree_dir, session))
    seconds = time.monotonic() - started
    fields = run_one.last_mark(done.stdout)
    if done.returncode != 0 or fields.get("verdict") != "baseline":
        why = fields.get("why") or f"exit {done.returncode}, no {run_one.MARK.strip()} line"
        hint = ("\nName what the target is known to violate with --known-gaps FILE (one clause or node-id pattern a line, "
                "see docs/known-gaps.md), or fix it first." if fields.get("test") else "")
        raise trees.MutateError(f"baseline (the unmutated target through the suite): {why}{hint}\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds, fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Worker:
    url: str
    proc: subprocess.Popen
    log: str


def start_worker(tree: trees.Tree, tree_dir: str, session: str, port: int, log_path: str) -> Worker:
    """``cosmic-ray http-worker`` in ``tree_dir``, up and listening, or a clear error."""
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen(cosmic_ray("http-worker", "--port", str(port)), cwd=tree_dir, stdout=log, stderr=subprocess.STDOUT,
                            env=worker_environment(tree, tree_dir, session), start_new_session=True)
    log.close()
    interrupts.register(proc)
    deadline = time.monotonic() + WORKER_START_S
    while not _listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_workers([Worker("", proc, log_path)])
            with open(log_path, encoding="utf-8", errors="replace") as f:
                raise trees.MutateError(f"cosmic-ray http-worker on port {port} in {tree_dir} did not start: {f.read()[-2000:]}")
        time.sleep(0.1)
    return Worker(f"http://127.0.0.1:{port}", proc, log_path)


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.proc.poll() is None:
            try:
                os.killpg(worker.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for worker in workers:
        try:
            worker.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait()
        interrupts.unregister(worker.proc)


def _done_so_far(database: str) -> Optional[tuple[int, int]]:
    """(results, survivors) from the session database while exec writes it."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as con:
            total = con.execute("SELECT count(*) FROM work_results WHERE worker_outcome != 'SKIPPED'").fetchone()[0]
            survived = con.execute("SELECT count(*) FROM work_results WHERE test_outcome = 'SURVIVED'").fetchone()[0]
            return total, survived
    except sqlite3.Error:
        return None  # locked by a write this instant: the next tick reads it


def _results(database: str, tree: trees.Tree, tree_dir: str) -> list[result_mod.Mutant]:
    cr = deps.cosmic_ray()

    mutants = []
    with cr.use_db(database, mode=cr.WorkDB.Mode.open) as db:
        results = dict(db.results)
        for item in db.work_items:
            spec = item.mutations[0]
            relative = os.path.relpath(os.path.join(tree_dir, str(spec.module_path)), tree_dir)
            mutant = result_mod.Mutant(job_id=item.job_id, file=relative, source=tree.source_of(relative),
                                       operator=spec.operator_name, occurrence=spec.occurrence, line=spec.start_pos[0])
            outcome = results.get(item.job_id)
            if outcome is None:
                mutant.verdict, mutant.why = "error", "no result recorded (the exec stopped early)"
            else:
                mutant.diff = outcome.diff or ""
                mutant.line = result_mod.first_changed_line(mutant.diff) or mutant.line
                verdict, fields = result_mod.verdict_of(outcome.output or "", outcome.test_outcome and outcome.test_outcome.value,
                                                        outcome.worker_outcome.value)
                mutant.verdict = verdict
                mutant.phase = fields.get("phase", "")
                mutant.function = fields.get("function", "")
                mutant.seconds = fields.get("seconds", {}) if isinstance(fields.get("seconds"), dict) else {}
                mutant.why = fields.get("why", "")
                mutant.killer = {key: fields[key] for key in ("test", "clause", "outcome", "message", "exit", "output") if key in fields}
            mutants.append(mutant)
    mutants.sort(key=lambda m: (m.file, m.line or 0, m.operator, m.occurrence))
    return mutants


def run(options: Options, progress: Callable[[str], None]) -> result_mod.MutationResult:
    engine = engine_version()
    tree = trees.tree_for(options.target)
    trees.select_files(tree, options.paths)
    if options.known_gaps:
        tree.known_gaps = os.path.abspath(options.known_gaps)
    if options.level:
        tree.suite_options["level"] = options.level
    jobs = max(0, options.jobs)
    if jobs == 0 and not options.worker_urls:
        raise trees.MutateError("-j 0 needs --worker-url: with no local worker and no remote one nothing runs the mutants")
    started = time.monotonic()
    session = os.path.abspath(options.session_dir) if options.session_dir else tempfile.mkdtemp(prefix="trtcache-mutate-")
    os.makedirs(session, exist_ok=True)
    workers: list[Worker] = []
    try:
        first = os.path.join(session, "tree-0")
        if os.path.exists(first):
            raise trees.MutateError(f"--session-dir {session} already holds a session (tree-0): give a new or empty directory")
        trees.build(tree, first)
        config, database = os.path.join(session, CONFIG), os.path.join(session, DATABASE)
        _write_config(config, tree, options.timeout or 60, [])
        progress(f"mutate: {engine} generating the mutants of {', '.join(tree.source_of(f) for f in tree.files)}")
        _checked(cosmic_ray("init", config, database), first, "cosmic-ray init")
        generated = _sample(database, options.sample, options.seed) if options.sample is not None else _count(database)
        measured = min(options.sample, generated) if options.sample is not None else generated
        progress(f"mutate: {generated} mutants generated; measuring {measured}; baseline run of the unmutated target")
        baseline_s, fields = baseline(tree, first, session)
        left_out = fields.get("left_out", {})
        timeout = options.timeout or max(60.0, 4 * baseline_s + 30)
        progress(f"mutate: baseline passed {fields.get('passed')} tests in {baseline_s:.1f} s"
                 + (f"; left out per mutant (they do not run on the original): {', '.join(f'{k} x{v}' for k, v in sorted(left_out.items()))}" if left_out else "")
                 + f"; per-mutant timeout {timeout:.0f} s; starting {jobs} local worker(s)")
        for index in range(jobs):
            tree_dir = os.path.join(session, f"tree-{index}")
            if index:
                shutil.copytree(first, tree_dir, symlinks=True)
            workers.append(start_worker(tree, tree_dir, session, free_port(), os.path.join(session, f"worker-{index}.log")))
        urls = [w.url for w in workers] + list(options.worker_urls)
        _write_config(config, tree, timeout, urls)
        exec_log = os.path.join(session, "exec.log")
        with open(exec_log, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(cosmic_ray("exec", config, database), cwd=first, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        interrupts.register(proc)
        try:
            last = -1
            while proc.poll() is None:
                time.sleep(2)
                interrupts.raise_if_interrupted()
                now = _done_so_far(database)
                if now and now[0] != last:
                    last = now[0]
                    elapsed = time.monotonic() - started
                    progress(f"mutate: {now[0]}/{measured} mutants measured, {now[1]} survived so far ({elapsed:.0f} s)")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
            interrupts.unregister(proc)
        if proc.returncode != 0:
            with open(exec_log, encoding="utf-8", errors="replace") as f:
                raise trees.MutateError(f"cosmic-ray exec failed (exit {proc.returncode}); session kept in {session}:\n{f.read()[-3000:]}")
        mutants = _results(database, tree, first)
    finally:
        stop_workers(workers)
        if not options.session_dir:
            shutil.rmtree(session, ignore_errors=True)
    return result_mod.MutationResult(target=options.target, engine=engine, files=[tree.source_of(f) for f in tree.files], generated=generated,
                                     seed=options.seed if options.sample is not None else None, sample=options.sample, jobs=len(urls),
                                     workers=[w for w in options.worker_urls], baseline_seconds=round(baseline_s, 2), timeout_seconds=timeout, left_out=left_out,
                                     seconds=round(time.monotonic() - started, 1), mutants=mutants)


def serve(target: str, tree_dir: str, port: int, known_gaps: Optional[str] = None, level: Optional[str] = None) -> int:
    """A worker for another machine's ``trtcache mutate --worker-url``: lay out the tree
    of ``target`` in ``tree_dir`` and run ``cosmic-ray http-worker`` there until stopped."""
    engine_version()
    tree = trees.tree_for(target)
    if known_gaps:
        tree.known_gaps = os.path.abspath(known_gaps)
    if level:
        tree.suite_options["level"] = level
    if os.path.exists(os.path.join(tree_dir, trees.PLAN)):
        shutil.rmtree(tree_dir)
    trees.build(tree, tree_dir)
    session = os.path.dirname(os.path.abspath(tree_dir))
    print(f"trtcache mutate-worker: baseline run of {target} (the tests that do not run there are left out, as on the controller)", flush=True)
    seconds, fields = baseline(tree, tree_dir, session)
    print(f"trtcache mutate-worker: baseline passed {fields.get('passed')} tests in {seconds:.0f} s", flush=True)
    print(f"trtcache mutate-worker: {target} in {tree_dir}, listening on port {port} (controller: trtcache mutate --worker-url http://<this host>:{port})", flush=True)
    return subprocess.call(cosmic_ray("http-worker", "--port", str(port)), cwd=tree_dir, env=worker_environment(tree, tree_dir, session))
