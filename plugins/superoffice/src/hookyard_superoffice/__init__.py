"""SuperOffice (chat session, test and webhook state events) for hookyard."""
