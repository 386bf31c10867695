"""Shared fixtures. `chromium`: one headless Chromium for the whole session (tests/browser.py)."""

import pytest

from tests.browser import Chromium, chromium_missing


@pytest.fixture(scope="session")
def chromium():
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    with Chromium() as browser:
        yield browser
