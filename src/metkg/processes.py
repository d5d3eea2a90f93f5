"""Child processes that do not outlive their parent.

A process killed outright (SIGKILL, the kernel's out-of-memory killer) cannot stop its children
itself: a query worker would run its query on, a reasoner's JVM its batch, holding memory and
CPU with no one to read the answer. On Linux a child can ask the kernel to kill it when its
parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

__all__ = ["CHILD_OPTIONS", "die_with_parent"]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Ask the kernel to kill this process (SIGKILL) when its parent dies.

    Called in a child: first thing in a worker, or before ``exec`` as a ``preexec_fn``.
    """
    if sys.platform != "linux":
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGKILL)


#: Keyword arguments of :func:`subprocess.run` / :class:`subprocess.Popen` for a child that dies with us.
CHILD_OPTIONS: dict[str, Any] = {"preexec_fn": die_with_parent} if sys.platform == "linux" else {}
