"""Fixtures for the e-mail sink tests: a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from email_support import PASSWORD, USER

from hookyard.testing import SmtpServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A server requiring STARTTLS and AUTH, as a submission port (587) does."""
    with SmtpServer(security="starttls", username=USER, password=PASSWORD) as server:
        yield server


@pytest.fixture
def plain_smtp() -> Iterator[SmtpServer]:
    """A relay without TLS or AUTH, as an internal port 25 often is."""
    with SmtpServer() as server:
        yield server
