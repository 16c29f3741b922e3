"""The README's examples work (issue 18, item 7): every command of its example blocks, run as written, in
order, against `thidua up` and `thidua demo`, each in a shell as a reader would type it. Each must succeed, and
each text its comment puts in «…» must be in what it printed.

The blocks are read as a session between two offices sharing a desk (the folder files are passed through):
a comment line beginning "# on the province" or "# on a witness" moves to Hải Phòng's node, "# at the centre"
back to the centre; `export` sets the office's environment as a shell would keep it; `./thidua up …` starts
that office's system (as "in its own terminal"); after the centre accepts a province's link it restarts its
`up`, as the README says. `centre.example:7422` is the centre's leaf port here. A command is tried again
until it succeeds or a minute has passed: what it reads may come from another service's copy (a person just
imported, read by awards) or down the link (a token issued at the centre, used on the province).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.test_thidua_up import Up
from tests.support import wait_for

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```bash\n(.*?)```", re.S)
COMMENT = re.compile(r"\s+#\s")  # a command's comment: what it does, and in «…» what it prints
QUOTED = re.compile(r"«([^»]+)»")
CATCH_UP = 60.0


@dataclass
class Step:
    office: str
    command: str
    expects: list[str]


@dataclass
class Office:
    up: Up
    env: dict[str, str] = field(default_factory=dict)
    running: bool = False


def steps() -> list[Step]:
    """Every command of the example blocks after the first (which is `up` and `test` themselves)."""
    found = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8"))[1:]:
        office = "centre"  # each block begins at the centre
        for line in block.splitlines():
            text = line.strip()
            if text.startswith("#"):
                if text.startswith(("# on the province", "# on a witness")):
                    office = "province"
                elif text.startswith("# at the centre"):
                    office = "centre"
                continue
            if text:
                command, *comment = COMMENT.split(text, maxsplit=1)
                found.append(Step(office, command, QUOTED.findall(comment[0] if comment else "")))
    return found


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.timeout(900)
def test_every_example_in_the_readme_runs_as_written_and_prints_what_it_says(tmp_path: Path) -> None:
    written = steps()
    assert len(written) > 60 and any(s.office == "province" for s in written)
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "thidua").symlink_to(Path(sysconfig.get_path("scripts")) / "thidua")  # `./thidua` from the desk
    (desk / "bien-ban.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")  # "your own scan"
    centre = Office(Up(tmp_path / "vn"))
    province = Office(Up(tmp_path / "hp"))
    offices = {"centre": centre, "province": province}
    leaf = f"127.0.0.1:{centre.up.leaf_port}"
    centre.up.start()
    centre.running = True
    try:
        for step in written:
            office = offices[step.office]
            command = step.command.replace("centre.example:7422", leaf)
            if command.startswith("export "):
                office.env.update(dict(item.split("=", 1) for item in shlex.split(command)[1:]))
            elif command.startswith("./thidua up"):
                office.up.up_args = tuple(shlex.split(command)[2:])
                office.up.env.update(office.env)
                office.up.start()
                office.running = True
            else:
                said = run(office, command, desk)
                for text in step.expects:
                    assert folded(text) in folded(said), f"{command}\nprinted:\n{said}\nwithout «{text}»"
                if step.office == "centre" and " nodes trust " in command and "--link-key" in command:
                    centre.up.stop()  # "then restart `up`": the link is accepted from the next start
                    centre.up.start()
    finally:
        for office in offices.values():
            if office.running:
                office.up.stop()


def run(office: Office, command: str, desk: Path) -> str:
    """One line in a shell at the desk, as the office's terminal runs it; its output, or the test fails."""
    env = dict(office.up.env, **office.env, COLUMNS="250", THIDUA_LANGUAGE="vi")
    env.pop("THIDUA_TOKEN", None)
    tries: list[subprocess.CompletedProcess[str]] = []

    def succeeded() -> bool:
        started = time.monotonic()
        done = subprocess.run(["bash", "-c", command], cwd=desk, env=env, capture_output=True, text=True, timeout=600)
        with (desk.parent / "session.log").open("a") as log:  # what ran, how long, how it ended: read when a step fails
            log.write(f"{time.monotonic() - started:6.1f}s exit {done.returncode}  {command}\n")
        tries.append(done)
        return done.returncode == 0

    try:
        wait_for(succeeded, timeout=CATCH_UP, message=command)
    except AssertionError:
        last = tries[-1]
        raise AssertionError(f"{command}\nexit {last.returncode}\n{last.stdout}\n{last.stderr}") from None
    return tries[-1].stdout + tries[-1].stderr
