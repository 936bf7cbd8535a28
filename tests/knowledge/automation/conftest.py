"""Fixtures of the automation tests."""

from __future__ import annotations

import pytest

from tests.knowledge.answers.factories import COMPANY


@pytest.fixture(autouse=True)
def _company(settings):
    """Answer templates sign with the company name."""
    settings.KV_COMPANY_NAME = COMPANY
