"""Settings the whole suite shares."""

from __future__ import annotations

# The pseudonym key every test home uses (synthetic data only).
TEST_KEY = "test-pseudonym-key-0123456789"
