"""Driving the field app on a phone: cutting the network (service worker included) and waiting."""

import time

APP = "/lapangan/app/"


def cut_network(context) -> None:
    """No signal: the browser is offline and every request, the service worker's too, fails.

    `set_offline` alone leaves the worker's own fetches going out, so they are aborted as well.
    """
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def restore_network(context) -> None:
    context.unroute("**/*")
    context.set_offline(False)


def wait_for_worker(page) -> None:
    """Until the service worker controls the page and has kept the app's files."""
    page.wait_for_function(
        "async () => { const r = await navigator.serviceWorker.ready;"
        " return !!navigator.serviceWorker.controller && !!r.active; }"
    )
    page.wait_for_function(
        "async () => { const names = await caches.keys();"
        " return names.some((n) => n.startsWith('posko-field-')); }"
    )


def open_app(page, url: str) -> float:
    """Seconds from navigation until the app has drawn its screen from what the phone holds."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    return time.perf_counter() - started
