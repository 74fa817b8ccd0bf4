"""`jobs: 0`: one process per core the build may use, its CPU quota counted, at most 8.

Each process takes some 58 MB: counting every core of a large runner, or the host's
cores in a container limited to one, would start far more than the build can use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from mkdocs_postmortem.cli import parser
from mkdocs_postmortem.config import PostmortemConfig
from mkdocs_postmortem.workers import MOST_JOBS, default_jobs

Cores = Callable[[int], None]


@pytest.fixture
def cores(monkeypatch: pytest.MonkeyPatch) -> Cores:
    """Make this process see `count` cores, whichever way it counts them."""

    def see(count: int) -> None:
        monkeypatch.setattr(os, "process_cpu_count", lambda: count, raising=False)
        monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(count)), raising=False)

    return see


def cgroup(root: Path, files: Mapping[str, str | bytes]) -> str:
    """A control group folder with these files, as /sys/fs/cgroup shows them."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return str(root)


def test_the_default_is_at_most_8(cores: Cores, tmp_path: Path) -> None:
    cores(64)
    assert MOST_JOBS == 8  # as docs/configuration.md says
    assert default_jobs(cgroup(tmp_path, {})) == 8


def test_a_small_machine_has_one_per_core(cores: Cores, tmp_path: Path) -> None:
    cores(3)
    assert default_jobs(cgroup(tmp_path, {})) == 3


def test_the_cpu_affinity_is_counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(os, "process_cpu_count", raising=False)  # before Python 3.13
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 5}, raising=False)
    assert default_jobs(cgroup(tmp_path, {})) == 2


def test_process_cpu_count_is_used_where_there_is_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(os, "process_cpu_count", lambda: 2, raising=False)  # Python 3.13+
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(64)), raising=False)
    assert default_jobs(cgroup(tmp_path, {})) == 2


@pytest.mark.parametrize(
    ("limit", "jobs"),
    [
        ("250000 100000\n", 3),  # 2.5 cores' worth: rounded up
        ("200000 100000\n", 2),
        ("50000 100000\n", 1),  # half a core: at least one
        ("1 100000\n", 1),
        ("max 100000\n", 8),  # no quota
        ("6400000 100000\n", 8),  # more than the cap
    ],
)
def test_a_cgroup_v2_quota_is_counted(cores: Cores, tmp_path: Path, limit: str, jobs: int) -> None:
    cores(64)
    assert default_jobs(cgroup(tmp_path, {"cpu.max": limit})) == jobs


def test_a_quota_above_the_cores_leaves_the_cores(cores: Cores, tmp_path: Path) -> None:
    cores(3)
    assert default_jobs(cgroup(tmp_path, {"cpu.max": "600000 100000\n"})) == 3


@pytest.mark.parametrize(("quota", "jobs"), [("200000\n", 2), ("150000\n", 2), ("-1\n", 8)])
def test_a_cgroup_v1_quota_is_counted(cores: Cores, tmp_path: Path, quota: str, jobs: int) -> None:
    cores(64)
    files = {"cpu/cpu.cfs_quota_us": quota, "cpu/cpu.cfs_period_us": "100000\n"}
    assert default_jobs(cgroup(tmp_path, files)) == jobs


def test_the_smaller_quota_counts(cores: Cores, tmp_path: Path) -> None:
    cores(64)
    files = {
        "cpu.max": "400000 100000\n",
        "cpu/cpu.cfs_quota_us": "300000\n",
        "cpu/cpu.cfs_period_us": "100000\n",
    }
    assert default_jobs(cgroup(tmp_path, files)) == 3


@pytest.mark.parametrize(
    "files",
    [
        {"cpu.max": ""},
        {"cpu.max": "garbage"},
        {"cpu.max": "max"},
        {"cpu.max": "0 100000"},
        {"cpu.max": "-5 100000"},
        {"cpu.max": "100000 0"},
        {"cpu.max": "1.5 1"},
        {"cpu.max": "1 2 3"},
        {"cpu.max": b"\xff\xfe\x00 100000"},
        {"cpu.max/inside": "a folder where the file should be"},
        {"cpu/cpu.cfs_quota_us": "200000"},  # and no period
        {"cpu/cpu.cfs_quota_us": "200000", "cpu/cpu.cfs_period_us": "garbage"},
        {"cpu/cpu.cfs_quota_us": "200000", "cpu/cpu.cfs_period_us": "0"},
        {"cpu": "a file where the folder should be"},
    ],
)
def test_a_quota_that_does_not_read_is_no_quota(
    cores: Cores, tmp_path: Path, files: dict[str, str | bytes]
) -> None:
    cores(64)
    assert default_jobs(cgroup(tmp_path, files)) == 8


def test_a_missing_cgroup_folder_is_no_quota(cores: Cores, tmp_path: Path) -> None:
    cores(5)
    assert default_jobs(str(tmp_path / "missing")) == 5
    (tmp_path / "a file").write_text("")
    assert default_jobs(str(tmp_path / "a file")) == 5


def test_this_machine_gets_between_1_and_8() -> None:
    assert 1 <= default_jobs() <= 8


def test_jobs_0_in_the_plugin_and_the_cli_is_capped(cores: Cores) -> None:
    cores(64)
    assert 1 <= options(jobs=0).processes <= 8
    assert 1 <= parser().parse_args(["validate", "--jobs", "0"]).jobs <= 8


def test_a_number_of_jobs_given_is_taken_as_it_is(cores: Cores) -> None:
    """The default is capped; a number is the user's choice, above the cap too."""
    cores(2)
    assert options(jobs=20).processes == 20
    assert parser().parse_args(["validate", "--jobs", "20"]).jobs == 20


def options(**given: object) -> PostmortemConfig:
    config = PostmortemConfig()
    config.load_dict(given)
    failed, warnings = config.validate()
    assert (failed, warnings) == ([], [])
    return config
