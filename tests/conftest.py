"""Fixtures running AWS calls against a local moto server, never a real account."""

from __future__ import annotations

import http.client
from typing import TYPE_CHECKING

import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from collections.abc import Iterator

_HOST = "127.0.0.1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Run moto in server mode on a free local port and yield its URL."""
    # Port 0 lets the OS pick a free port when the server binds, with no race.
    server = ThreadedMotoServer(ip_address=_HOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Use fake credentials, reset moto's state and return the endpoint URL."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    connection = http.client.HTTPConnection(moto_endpoint.removeprefix("http://"))
    try:
        connection.request("POST", "/moto-api/reset")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == http.client.OK, f"moto reset failed: {response.status}"
    return moto_endpoint
