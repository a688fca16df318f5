"""Internal: matching events to routes and rendering each route's templates."""

from hookyard.routing.router import CompiledRoute, PlannedDelivery, Router, compile_routes

__all__ = ["CompiledRoute", "PlannedDelivery", "Router", "compile_routes"]
