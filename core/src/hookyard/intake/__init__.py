"""Internal: receiving one webhook — authenticate, parse, route, store, answer."""

from hookyard.intake.access import Caller, credentials
from hookyard.intake.receive import Answer, Intake, idempotency_key

__all__ = ["Answer", "Caller", "Intake", "credentials", "idempotency_key"]
