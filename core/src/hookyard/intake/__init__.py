"""Internal: receiving one webhook — authenticate, parse, route, store, answer."""

from hookyard.intake.receive import Answer, Intake, idempotency_key

__all__ = ["Answer", "Intake", "idempotency_key"]
