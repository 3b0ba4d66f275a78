"""Timing helpers: server time of a page via the test client, CPU counters, the CPU model."""

import os
import platform
import statistics
import time


def time_requests(client, url: str, requests: int) -> dict:
    """The first request (cold) and `requests` more (warm median and p95), in ms; page size."""
    started = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.data)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    return {
        "cold_ms": cold * 1000,
        "warm_median_ms": statistics.median(times) * 1000,
        "warm_p95_ms": times[max(int(len(times) * 0.95) - 1, 0)] * 1000,
        "kb": size / 1024,
    }


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (capacities are only comparable on one model)."""
    try:
        with open("/proc/cpuinfo") as fh:
            return next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def process_cpu_seconds(pids) -> float:
    """User plus system CPU seconds used so far by the processes `pids` (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def child_pids(parent: int) -> list[int]:
    """The ids of the processes whose parent is `parent` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found
