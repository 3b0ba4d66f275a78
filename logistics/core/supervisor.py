"""Keeps child processes running: restarts one that dies, with a capped back-off, until told to stop."""

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Child:
    """One supervised process; `command(generation)` builds its argv for each (re)start."""

    name: str
    command: Callable[[int], list[str]]
    env: dict | None = None
    process: subprocess.Popen | None = None
    generation: int = 0
    started_at: float = 0.0
    delay: float = 0.0
    restart_at: float | None = field(default=None)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts children in order, restarts the dead ones, stops them in order.

    A child that dies is restarted after `min_delay` seconds, doubling up to `max_delay` while it
    keeps dying; once it has stayed up `stable_after` seconds its next restart is quick again.
    """

    def __init__(
        self,
        children: list[Child],
        *,
        min_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        log: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.children = children
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.log = log
        self.clock = clock

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        child.generation += 1
        child.process = subprocess.Popen(child.command(child.generation), env=child.env)
        child.started_at = self.clock()
        child.restart_at = None

    def check(self) -> list[Child]:
        """One round: note children that died, restart those whose back-off is over."""
        now = self.clock()
        restarted = []
        for child in self.children:
            if child.restart_at is None and not child.alive:
                self._schedule(child, now)
            elif child.restart_at is not None and now >= child.restart_at:
                self._spawn(child)
                self.log(f"{child.name} restarted (pid {child.pid})")
                restarted.append(child)
        return restarted

    def _schedule(self, child: Child, now: float) -> None:
        uptime = now - child.started_at
        if uptime >= self.stable_after or child.delay == 0:
            child.delay = self.min_delay
        else:
            child.delay = min(child.delay * 2, self.max_delay)
        child.restart_at = now + child.delay
        code = child.process.returncode if child.process is not None else None
        self.log(
            f"{child.name} (pid {child.pid}) exited with code {code} after {uptime:.1f} s; "
            f"restarting in {child.delay:g} s"
        )

    def run(self, stopping: Callable[[], bool], interval: float = 0.5, tick=None) -> None:
        """Check every `interval` seconds until `stopping()`; `tick()` runs after each check."""
        while not stopping():
            self.check()
            if tick is not None:
                tick()
            time.sleep(interval)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask every child to end (in start order), then wait; kill what outlives `timeout`."""
        for child in self.children:
            child.restart_at = None
            if child.alive:
                child.process.terminate()
        deadline = self.clock() + timeout
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                self.log(f"{child.name} (pid {child.pid}) did not stop; killing it")
                child.process.kill()
                child.process.wait()
