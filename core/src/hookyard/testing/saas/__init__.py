"""Public through :mod:`hookyard.testing`: local servers that speak Slack's, HubSpot's,
Zendesk's and Jira's documented HTTP contracts, and a real SMTP server, for sink tests.

Each is imported only when asked for (``from hookyard.testing import SlackApi``), so the
SMTP server's ``aiosmtpd`` is needed only by tests that use it.
"""
