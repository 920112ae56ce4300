"""A light HTTP load client for the benches: one thread, asyncio, raw HTTP/1.1 on loopback.

The server and the client share the machine's 2 cores, so the client must cost little: a
thread pool of `http.client` connections spends much of a core on thread switches and the GIL
at a few hundred requests a second, CPU the server then lacks. Here each request is a few bytes
written and read on a socket of its own (`Connection: close`, like a sync gunicorn worker
answers), in one event loop; `run` also reports the CPU the client itself used, so a reading
can tell when the client, not the server, was the limit.
"""

import asyncio
import json
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Request:
    method: str
    path: str
    token: str | None = None
    body: bytes = b""
    #: a Cookie header (a signed-in page)
    cookie: str | None = None


@dataclass
class Outcome:
    """One request's status (0: no answer), its JSON body (None if none) and latency in ms."""

    status: int
    answer: object
    ms: float


@dataclass
class Run:
    outcomes: list[Outcome]
    elapsed: float
    #: CPU seconds (user + system) the client's process used during the run
    client_cpu: float
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.outcomes) / self.elapsed

    @property
    def client_share(self) -> float:
        """The client's CPU as a share of one core over the run."""
        return self.client_cpu / self.elapsed

    def percentile(self, fraction: float) -> float:
        ordered = sorted(o.ms for o in self.outcomes)
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _raw(request: Request, port: int) -> bytes:
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Accept-Language: en",
        "Connection: close",
        f"Content-Length: {len(request.body)}",
    ]
    if request.body:
        lines.append("Content-Type: application/json")
    if request.token:
        lines.append(f"Authorization: Bearer {request.token}")
    if request.cookie:
        lines.append(f"Cookie: {request.cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body


async def _one(port: int, request: Request, timeout: float) -> Outcome:
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
        try:
            writer.write(_raw(request, port))
            data = await asyncio.wait_for(reader.read(-1), timeout)
        finally:
            writer.close()
    except (OSError, TimeoutError):
        return Outcome(0, None, (time.perf_counter() - start) * 1000)
    ms = (time.perf_counter() - start) * 1000
    head, _sep, body = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return Outcome(0, None, ms)
    try:
        answer = json.loads(body) if body else None
    except ValueError:
        answer = None
    return Outcome(status, answer, ms)


async def _all(port: int, requests: Sequence[Request], concurrency: int, timeout: float):
    outcomes: list[Outcome | None] = [None] * len(requests)
    cursor = iter(range(len(requests)))

    async def worker():
        for n in cursor:
            outcomes[n] = await _one(port, requests[n], timeout)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(requests)))))
    return outcomes


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(port: int, requests: Sequence[Request], concurrency: int, timeout: float = 60) -> Run:
    """Send every request, `concurrency` in flight at once (a new one as soon as one ends)."""
    cpu, start = _cpu(), time.perf_counter()
    outcomes = asyncio.run(_all(port, requests, concurrency, timeout))
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    done = [o for o in outcomes if o is not None]
    statuses: dict[int, int] = {}
    for outcome in done:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return Run(done, elapsed, cpu, statuses)


def rate_for(port: int, request: Request, concurrency: int, seconds: float, limit: int) -> Run:
    """Repeat one request for about `seconds` (at most `limit` times): its rate."""
    # a short first run sizes the measured one, so it lasts about `seconds`
    first = run(port, [request] * min(limit, concurrency * 10), concurrency)
    wanted = int(min(limit, max(concurrency, first.rate * seconds)))
    return run(port, [request] * wanted, concurrency)
