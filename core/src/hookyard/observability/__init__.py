"""Internal: logging set-up and error reporting to Sentry."""
