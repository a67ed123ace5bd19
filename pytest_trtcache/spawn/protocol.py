"""The step protocol: a :class:`Step` goes in (a payload, :mod:`.payload`), an
:class:`Observation` comes back.

A step is small and self-contained (target spec, runtime name, operation, paths), so
a child never needs the test module. The observation is written to a file named in
the step, never to stdout, so prints by user code cannot corrupt it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional

CHANNELS = ("handle-pickle", "facade-pickle", "wrapper-torch-save", "cache-file", "autosave-file", "stream")
OPS = ("save", "load")


@dataclass
class Step:
    target: str  # target spec, resolved in the child with targets.resolve
    runtime: str  # runtime name within the target ("python", "cpp")
    op: str  # "save" or "load"
    channel: str  # one of CHANNELS
    workdir: str  # the child's cwd; every file it writes goes here
    artifact: str  # what a save produces / a load consumes
    engine_runs: list[list[Any]] = field(default_factory=list)  # [[engine name, shape], ...]
    role: str = "target"
    # A load across targets: the saver's target, whose objects a pickle brings along
    saver_target: str = ""
    saver_role: str = ""
    observation: str = ""  # path the child writes its Observation to
    leaks: str = ""  # path the child appends unraisable calls to (JSON lines)
    stdout: str = ""
    stderr: str = ""

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"step op {self.op!r}: expected one of {', '.join(OPS)}")
        if self.channel not in CHANNELS:
            raise ValueError(f"step channel {self.channel!r}: expected one of {', '.join(CHANNELS)}")
        base = os.path.join(self.workdir, f"{self.op}")
        self.observation = self.observation or base + ".observation.json"
        self.leaks = self.leaks or base + ".leaks.jsonl"
        self.stdout = self.stdout or base + ".stdout"
        self.stderr = self.stderr or base + ".stderr"

    def describe(self) -> str:
        return f"{self.op} {self.channel} in {self.role} runtime {self.runtime}"



@dataclass
class Blob:
    """Serialized bytes, as seen: digest, length and the bytes themselves (hex)."""

    sha256: str
    length: int
    hex: str

    @classmethod
    def of(cls, data: bytes) -> "Blob":
        return cls(hashlib.sha256(data).hexdigest(), len(data), data.hex())

    @property
    def data(self) -> bytes:
        return bytes.fromhex(self.hex)


@dataclass
class FileRecord:
    path: str
    size: int
    sha256: str


@dataclass
class ExceptionRecord:
    type: str
    message: str
    traceback: str


@dataclass
class Observation:
    step: str = ""  # Step.describe()
    state: dict[str, Any] = field(default_factory=dict)  # has_cache, pending_bytes (hex or None: not observable)
    serialized: Optional[Blob] = None  # what the loaded cache serializes to after materialization
    facts: dict[str, Any] = field(default_factory=dict)  # channel-specific (settings, handle kind, counts)
    files: list[FileRecord] = field(default_factory=list)  # files in the workdir after the child exited
    exceptions: list[ExceptionRecord] = field(default_factory=list)
    not_observable: str = ""  # set when the target does not expose what the step needs
    harness_interface: str = ""  # set when the target's wrapper is not shaped as the harness calls it
    unraisable: list[dict[str, str]] = field(default_factory=list)  # sys.unraisablehook calls, shutdown included
    stderr_leaks: list[str] = field(default_factory=list)  # "Exception ignored in" blocks in stderr
    timing: dict[str, float] = field(default_factory=dict)  # time.time() stamps, see spawners
    returncode: Optional[int] = None
    stderr: str = ""
    timed_out: bool = False
    spawner: str = ""
    pid: int = 0  # the child's, for a profile of its process (``trtcache bench``)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Observation":
        data = dict(data)
        if data.get("serialized") is not None:
            data["serialized"] = Blob(**data["serialized"])
        data["files"] = [FileRecord(**f) for f in data.get("files", [])]
        data["exceptions"] = [ExceptionRecord(**e) for e in data.get("exceptions", [])]
        return cls(**data)

    def file(self, path: str) -> Optional[FileRecord]:
        return next((f for f in self.files if f.path == path), None)
