"""Fixtures of the jira sink's tests: the Jira contract server and a sink against it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from jira_support import CUSTOM_FIELD, EMAIL, PROJECT, TOKEN, open_sink

from hookyard.testing import JiraApi

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from hookyard_jira import JiraSink


@pytest.fixture
def jira() -> Iterator[JiraApi]:
    with JiraApi(
        email=EMAIL, token=TOKEN, projects=(PROJECT,), custom_fields=(CUSTOM_FIELD,)
    ) as api:
        yield api


@pytest.fixture
async def sink(jira: JiraApi) -> AsyncIterator[JiraSink]:
    async with open_sink(jira) as opened:
        yield opened
