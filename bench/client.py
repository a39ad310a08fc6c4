"""A small HTTP client for the benchmark: timed requests (urllib), sequential or from concurrent threads."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any


class Http:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, *, headers: dict[str, str] | None = None, body: Any = None,
                method: str | None = None) -> tuple[int, float, bytes]:
        """(status, seconds, body). A 3xx is returned, not followed."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(  # noqa: S310 - our own http:// server
            self.base + path, data=data, method=method or ("POST" if data else "GET"),
                                     headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as resp:  # noqa: S310 - our own server
                content = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            content, status = exc.read(), exc.code
        return status, time.perf_counter() - start, content

    def timed(self, path: str | Callable[[int], str], n: int, *, warmup: int = 3, expect: int = 200,
              **kwargs: Any) -> dict[str, Any]:
        """n sequential requests after `warmup` untimed ones; latencies in ms and the count of unexpected codes."""
        times, errors = [], 0
        for i in range(-warmup, n):
            url = path(i) if callable(path) else path
            status, seconds, _ = self.request(url, **kwargs)
            if status != expect:
                errors += 1
            if i >= 0:
                times.append(seconds * 1000)
        return {"times": times, "errors": errors}

    def load(self, pick: Callable[[int], tuple[str, dict[str, str]]], *, clients: int, seconds: float) -> dict[str, Any]:
        """`clients` threads sending requests back to back for `seconds`: throughput, latencies, errors."""
        lock = threading.Lock()
        times: list[float] = []
        errors = [0]
        stop_at = time.perf_counter() + seconds

        def worker(k: int) -> None:
            i = k
            while time.perf_counter() < stop_at:
                path, headers = pick(i)
                try:
                    status, elapsed, _ = self.request(path, headers=headers)
                except OSError:
                    status, elapsed = 0, 0.0
                with lock:
                    times.append(elapsed * 1000)
                    if status != 200:
                        errors[0] += 1
                i += clients

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        return {"times": times, "errors": errors[0], "requests": len(times), "rps": len(times) / elapsed}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
