"""The process supervisor behind `serve`: real short-lived children, killed by PID."""

import os
import signal
import sys

from logistics.core.supervisor import Child, Supervisor
from tests.support.wait import wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


class Clock:
    """A clock the test moves, so back-off delays are checked without waiting for them."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sleeper(name: str) -> Child:
    return Child(name, lambda generation: SLEEPER)


def test_killed_child_is_restarted_with_a_log_line_and_others_untouched():
    lines = []
    supervisor = Supervisor([sleeper("worker"), sleeper("web")], min_delay=0, log=lines.append)
    supervisor.start()
    try:
        worker, web = supervisor.children
        first_pid, web_pid = worker.pid, web.pid
        os.kill(first_pid, signal.SIGKILL)
        assert wait_until(lambda: supervisor.check() and worker.alive)
        assert worker.pid != first_pid and worker.generation == 2
        assert web.pid == web_pid and web.alive
        assert any(f"worker (pid {first_pid}) exited with code -9" in line for line in lines)
        assert any(f"worker restarted (pid {worker.pid})" in line for line in lines)
    finally:
        supervisor.stop(timeout=10)
    assert not worker.alive and not web.alive


def test_back_off_doubles_up_to_the_cap_and_resets_after_a_stable_run():
    clock = Clock()
    child = Child("worker", lambda generation: [sys.executable, "-c", "pass"])
    supervisor = Supervisor(
        [child], min_delay=1, max_delay=4, stable_after=60, log=lambda line: None, clock=clock
    )
    supervisor.start()
    delays = []
    try:
        for _ in range(5):
            child.process.wait(timeout=30)
            supervisor.check()  # notices the exit and schedules the restart
            delays.append(child.delay)
            assert supervisor.check() == []  # not before the delay is over
            clock.now += child.delay
            assert supervisor.check() == [child]
        assert delays == [1, 2, 4, 4, 4]
        # Up for longer than stable_after: the next failure is restarted quickly again.
        child.process.wait(timeout=30)
        clock.now += 61
        supervisor.check()
        assert child.delay == 1
    finally:
        supervisor.stop(timeout=10)


def test_a_command_per_generation_gives_a_restarted_child_new_arguments():
    seen = []

    def command(generation):
        seen.append(generation)
        return SLEEPER

    supervisor = Supervisor([Child("worker", command)], min_delay=0, log=lambda line: None)
    supervisor.start()
    try:
        os.kill(supervisor.children[0].pid, signal.SIGKILL)
        assert wait_until(lambda: bool(supervisor.check()))
        assert seen == [1, 2]
    finally:
        supervisor.stop(timeout=10)


def test_stop_ends_every_child_and_kills_one_that_ignores_sigterm():
    stubborn = Child(
        "stubborn",
        lambda generation: [
            sys.executable,
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('ready', flush=True); time.sleep(600)",
        ],
    )
    lines = []
    supervisor = Supervisor([sleeper("worker"), stubborn], log=lines.append)
    supervisor.start()
    # The child must have set its handler before it is asked to stop.
    assert wait_until(lambda: _ignores_sigterm(stubborn.pid))
    supervisor.stop(timeout=2)
    assert supervisor.children[0].process.returncode == -signal.SIGTERM
    assert stubborn.process.returncode == -signal.SIGKILL
    assert any("stubborn" in line and "killing" in line for line in lines)


def test_run_restarts_until_told_to_stop():
    supervisor = Supervisor([sleeper("worker")], min_delay=0, log=lambda line: None)
    supervisor.start()
    first = supervisor.children[0].pid
    rounds = []

    def tick():
        rounds.append(1)
        if len(rounds) == 2:
            os.kill(first, signal.SIGKILL)

    try:
        supervisor.run(lambda: supervisor.children[0].generation > 1, interval=0.05, tick=tick)
        assert supervisor.children[0].pid != first
    finally:
        supervisor.stop(timeout=10)


def _ignores_sigterm(pid: int) -> bool:
    """Whether the process's SIGTERM is ignored (SigIgn mask in /proc), i.e. its setup ran."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    except FileNotFoundError:
        return False
    return False
