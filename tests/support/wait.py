"""Waiting on a condition, never on the clock: poll until it holds, within a generous bound."""

import time


def wait_until(condition, timeout: float = 120.0, interval: float = 0.1) -> bool:
    """True as soon as condition() is true; False if it never was within `timeout` seconds.

    The bound only stops a broken run from hanging: it is far above what a slow, shared machine
    needs, and no test asserts how long the wait took.
    """
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
