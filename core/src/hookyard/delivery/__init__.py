"""Internal: delivery workers and the retry policy."""

from hookyard.delivery.retry import Decision, backoff, decide
from hookyard.delivery.worker import Worker

__all__ = ["Decision", "Worker", "backoff", "decide"]
