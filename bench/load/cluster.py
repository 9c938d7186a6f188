"""Three `trainbot serve` replicas (each with its scheduler) behind the client's round robin.

The client plays the load balancer: requests go round robin, each on a fresh connection
(urllib, as Slack does); a replica that refuses the connection is left out until it is
healthy again, and the request goes to the next one (it never reached the refusing one, so
that is safe), while a request cut mid-way is not sent again (it may have been done).
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import urllib.error
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import servers
from bench.servers import Started, Target
from bot.fakeslack import AppResponse, SlackClient
from bot.fakeslack.facade import WorkspaceFacade


def replica_target(n: int, workers: int, threads: int) -> Target:
    """`trainbot serve` with its in-process scheduler (no --no-scheduler)."""
    sizing = ("--workers", str(workers), "--threads", str(threads), "--port", "{port}")
    return Target(f"replica-{n}", f"replica {n}", ("-m", "bot", "serve", *sizing))


class Cluster:
    """The replicas; `send` picks one round robin, skipping those that refuse connections."""

    def __init__(
        self, env: Mapping[str, str], workdir: Path, *, replicas: int, workers: int, threads: int
    ) -> None:
        self._env, self._workdir = dict(env), workdir
        self._targets = [replica_target(n, workers, threads) for n in range(1, replicas + 1)]
        self.started: list[Started] = []
        self._down_until = [0.0] * replicas
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.rerouted: Counter[int] = Counter()  # connections refused, per replica
        self.lives: Counter[int] = Counter()  # times each replica was started

    def start(self) -> None:
        """Start every replica at once (they migrate under an advisory lock)."""
        with ThreadPoolExecutor(max_workers=len(self._targets)) as pool:
            futures = [
                pool.submit(servers.start_server, t, self._env, self._workdir)
                for t in self._targets
            ]
        failed = [f.exception() for f in futures if f.exception() is not None]
        self.started = [f.result() for f in futures if f.exception() is None]
        if failed:
            self.stop()
            raise RuntimeError(f"replicas did not start: {failed}")
        for n in range(len(self.started)):
            self.lives[n] += 1

    def stop(self) -> None:
        for started in self.started:
            servers.stop_process(started.process)

    def kill(self, n: int) -> None:
        """SIGKILL replica `n` with its workers and scheduler."""
        servers.kill_group(self.started[n].process)

    def restart(self, n: int) -> None:
        """Start replica `n` again on its port (the balancer's address for it)."""
        old = self.started[n]
        self.started[n] = servers.start_server(old.target, self._env, self._workdir, port=old.port)
        self.lives[n] += 1
        with self._lock:
            self._down_until[n] = 0.0

    def order(self) -> list[int]:
        """The replicas to try for the next request: round robin, those up first."""
        with self._lock:
            first = next(self._turn) % len(self._targets)
            now = time.monotonic()
            turn = [(first + i) % len(self._targets) for i in range(len(self._targets))]
            return sorted(turn, key=lambda n: self._down_until[n] > now)

    def refused(self, n: int) -> None:
        """Replica `n` refused a connection: out of the rotation until it is healthy again
        (restart() waits for /healthz, as a balancer's health check would)."""
        with self._lock:
            self._down_until[n] = float("inf")
            self.rerouted[n] += 1


class Cut(Exception):
    """The request reached a replica and got no answer (killed mid-way, or timed out)."""


class BalancedClient(SlackClient):
    """A SlackClient whose every request goes to the cluster's next replica (one client per
    request: the replica that answered is noted in `replica`)."""

    def __init__(self, cluster: Cluster, fake: WorkspaceFacade, *, timeout: float = 30) -> None:
        super().__init__("", servers.SIGNING_SECRET, fake, timeout=timeout)
        self._cluster = cluster
        self.replica = -1

    def send_raw(self, body: bytes, content_type: str, **kwargs: Any) -> AppResponse:
        for n in self._cluster.order():
            self.app_url = f"{self._cluster.started[n].base_url}/slack/events"
            self.replica = n
            try:
                return super().send_raw(body, content_type, **kwargs)
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError):
                    raise Cut(f"{type(error.reason).__name__}: {error.reason}") from error
                self._cluster.refused(n)  # never reached it: the next replica gets it
            except (OSError, http.client.HTTPException) as error:
                raise Cut(f"{type(error).__name__}: {error}") from error
        raise Cut("refused by every replica")
