"""Internal: route test files (``hookyard test``) and the events they route."""
