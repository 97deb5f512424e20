"""Stage 5 (sim): a pool's places as a light SimPy resource — SimPy's own grants, in SimPy's own order.

``simpy.Resource`` builds a ``Request`` and a ``Release`` object per use (each through four ``__init__``
levels, a queue scan and a callback list); on the engine's profile that was the largest single cost after the
event loop itself. The engine needs less: take a place (first come first served, or by a priority key), give
it back, withdraw a request still waiting. ``Places`` does just that with plain ``simpy.Event`` objects on
the same ``Environment``, and reproduces SimPy's scheduling step for step, so a seeded run is identical:

* a request is queued, then the head of the queue (not necessarily the new request) gets a place if one is
  free — one scheduled event per grant, as ``Resource._trigger_put`` does;
* a release frees the place at once and schedules one event which, when processed, lets the head of the
  queue try again (SimPy's ``Release`` event); it is scheduled even when nobody waits, because the order of
  same-time events (their sequence numbers) decides which case draws the next random number first;
* priority order is ``(priority, time of request)``, ties in request order — ``PriorityResource``'s
  stable sort on ``(priority, time, not preempt)`` with ``preempt`` always true.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush
from itertools import count
from typing import Any

from simpy import Environment, Event


class Places:
    """``capacity`` places; requests wait first come first served, or by priority when ``prioritised``."""

    __slots__ = ("_env", "_schedule", "capacity", "used", "_fifo", "_heap", "_seq", "prioritised", "_retry_cb")

    def __init__(self, env: Environment, capacity: int, *, prioritised: bool = False) -> None:
        if capacity <= 0:
            raise ValueError('"capacity" must be > 0.')
        self._env = env
        self._schedule = env.schedule
        self.capacity = capacity
        #: places taken (granted requests not released yet)
        self.used = 0
        self._fifo: deque[Any] = deque()
        self._heap: list[tuple[float, float, int, Any]] = []
        self._seq = count()
        self.prioritised = prioritised
        self._retry_cb = self._retry

    def request(self, priority: float = 0.0) -> Any:
        """An event that succeeds when the requester holds a place (``priority``: lower first)."""
        env = self._env
        event = Event(env)
        if self.prioritised:
            heap = self._heap
            heappush(heap, (priority, env.now, next(self._seq), event))
            if self.used < self.capacity:
                self._grant(heappop(heap)[3])
        elif self.used < self.capacity and not self._fifo:
            # the usual case: nobody waits, so the new request is the head and gets the place (_grant inline)
            self.used += 1
            event._ok = True
            event._value = None
            self._schedule(event)
        else:
            self._fifo.append(event)
            if self.used < self.capacity:
                self._grant(self._fifo.popleft())
        return event

    def release(self, request: Any) -> None:
        """Give back the place ``request`` holds; the head of the queue tries when the release is processed.

        The request event is spent once processed (its callbacks ran, nothing waits on it), so it is scheduled
        again as the release's event instead of allocating one: ``request`` must not be used afterwards.
        """
        self.used -= 1
        if request.callbacks is None:
            request.callbacks = [self._retry_cb]
            self._schedule(request)
        else:  # granted but not processed yet (a place held without waiting for it): a fresh event
            kick = Event(self._env)
            kick.callbacks.append(self._retry_cb)
            kick._ok = True
            kick._value = None
            self._schedule(kick)

    def cancel(self, request: Any) -> None:
        """Withdraw ``request`` if it still waits (a granted one must be released instead)."""
        if request.triggered:
            return
        if self.prioritised:
            self._heap = [entry for entry in self._heap if entry[3] is not request]
            heapify(self._heap)
        else:
            self._fifo.remove(request)

    def waiting(self) -> int:
        """Requests waiting for a place."""
        return len(self._heap) if self.prioritised else len(self._fifo)

    def _retry(self, _event: Any) -> None:
        if self.used < self.capacity:
            if self.prioritised:
                if self._heap:
                    self._grant(heappop(self._heap)[3])
            elif self._fifo:
                self._grant(self._fifo.popleft())

    def _grant(self, event: Any) -> None:
        self.used += 1
        event._ok = True
        event._value = None
        self._schedule(event)
