"""Prometheus metrics of one service process, served at /metrics.

Requests are counted and timed per route template (never per raw path: ids would make the
series endless); the outbox lag, each consumer's lag and its dead letters are refreshed
from the same snapshot as /health each time Prometheus scrapes.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from thidua_shared.runtime import Health


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.service = service
        self.requests = Counter(
            "thidua_http_requests", "HTTP requests answered", ["service", "method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "thidua_http_request_seconds", "Time to answer an HTTP request", ["service", "method", "route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.up = Gauge("thidua_service_ok", "1 when /health answers ok, 0 when unavailable", ["service"], registry=self.registry)
        self.outbox_pending = Gauge("thidua_outbox_pending", "Events committed, not yet published", ["service"], registry=self.registry)
        self.outbox_oldest = Gauge(
            "thidua_outbox_oldest_seconds", "Age of the oldest event waiting in the outbox", ["service"], registry=self.registry
        )
        self.consumer_lag = Gauge(
            "thidua_consumer_lag", "Events in the stream not yet applied by a consumer", ["service", "consumer"], registry=self.registry
        )
        self.dead_letters = Gauge(
            "thidua_dead_letters", "Events a consumer could not apply, kept with the reason", ["service", "consumer"], registry=self.registry
        )
        self.processed = Gauge(
            "thidua_consumer_processed", "Events applied by a consumer since the process started", ["service", "consumer"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)

    def render(self, health: Health) -> bytes:
        s = self.service
        self.up.labels(s).set(1 if health.status == "ok" else 0)
        self.outbox_pending.labels(s).set(health.outbox_pending if health.outbox_pending is not None else float("nan"))
        self.outbox_oldest.labels(s).set(health.outbox_oldest_seconds or 0)
        for consumer in health.consumers:
            self.consumer_lag.labels(s, consumer.name).set(consumer.lag if consumer.lag is not None else float("nan"))
            self.dead_letters.labels(s, consumer.name).set(consumer.dead_letters if consumer.dead_letters is not None else float("nan"))
            self.processed.labels(s, consumer.name).set(consumer.processed)
        return generate_latest(self.registry)
