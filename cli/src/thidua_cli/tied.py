"""`python -m thidua_cli.tied <launcher pid> <program> [args...]`: run a program that ends when the launcher does.

`thidua up` starts nats-server and every service through this: the kernel's parent-death signal
(Linux `prctl(PR_SET_PDEATHSIG)`) sends the program SIGTERM the moment the launcher dies, however
it dies (Ctrl-C, a supervisor's SIGTERM, a crash, kill -9), so nothing it started runs on without
it. The signal survives `exec`, and setting it here, in a fresh process, avoids Popen's
`preexec_fn`, which is unsafe while the launcher's threads run. Elsewhere than Linux it only execs.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def tied(command: list[str]) -> list[str]:
    """The command run so that it ends with this process (see above)."""
    return [sys.executable, "-m", "thidua_cli.tied", str(os.getpid()), *command]


def tie_to(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # the launcher died before the signal was set: do not start at all
        sys.exit(1)


def main(argv: list[str]) -> None:
    parent, program = int(argv[0]), argv[1:]
    tie_to(parent)
    os.execv(program[0], program)


if __name__ == "__main__":
    main(sys.argv[1:])
