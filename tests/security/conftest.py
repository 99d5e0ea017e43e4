"""Fixtures the security suites share: the loopback HTTP server that counts every
request, and the audit hook (installed once per process, recording only inside
``AUDIT.recording()``)."""

from __future__ import annotations

import pytest

from .harness import AUDIT, Loopback


@pytest.fixture(scope="module")
def loopback():
    server = Loopback()
    yield server
    server.close()


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    AUDIT.install(tmp_path_factory.mktemp("audit"))
