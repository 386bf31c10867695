"""Shared fixtures. `chromium`: one headless Chromium for the whole session (tests/browser/).

Without Chromium the browser tests skip, saying how to get it; with SCRATCHNET_REQUIRE_BROWSER=1
(set by .ci/run) they fail instead, so CI cannot pass without having run them.
"""

import os

import pytest

from tests.browser import Chromium, chromium_missing


@pytest.fixture(scope="session")
def chromium():
    reason = chromium_missing()
    if reason:
        if os.environ.get("SCRATCHNET_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with Chromium() as browser:
        yield browser
