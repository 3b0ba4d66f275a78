"""Server-time measurement of a page through the Flask test client: cold, then warm."""

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
