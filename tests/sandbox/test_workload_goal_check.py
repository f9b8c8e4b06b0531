"""The goal check against a tiny local HTTP server playing the app in each state."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from components.workload.goal_check import render_goal_check

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed"),
    pytest.mark.skipif(shutil.which("timeout") is None, reason="coreutils timeout is missing"),
]

# Pages shaped like the app's own (000-workload/src/main.rs): title "<version> | Klustered".
QUOTE_BODY = (
    '<center><div style="font-size: 20px"><strong>Fight for your limits and sure enough '
    'their yours</strong> by <a target="_blank" href="https://twitter.com/mauilion">'
    "Duffie's Mom</a></div></center>"
)
PAGES = {
    "v1-quote": f"<html><head><title>v1 | Klustered</title></head><body>{QUOTE_BODY}</body></html>",
    "v2-quote": f"<html><head><title>v2 | Klustered</title></head><body>{QUOTE_BODY}</body></html>",
    "v2-db-error": (
        "<html><head><title>v2 | Klustered</title></head><body>"
        "<strong>Failed to connect to database</strong><p>error connecting to server</p>"
        "</body></html>"
    ),
    "v2-query-error": (
        "<html><head><title>v2 | Klustered</title></head><body>"
        '<strong>Failed to query to database</strong><p>relation "quotes" does not exist</p>'
        "</body></html>"
    ),
    "v2-no-quote": "<html><head><title>v2 | Klustered</title></head><body></body></html>",
}


@dataclass
class FakeApp:
    """A local HTTP server whose page can be switched between app states."""

    port: int
    page: str = "v1-quote"
    status: int = 200


@pytest.fixture
def app() -> Iterator[FakeApp]:
    state = FakeApp(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGES[state.page].encode("ascii")
            self.send_response(state.status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_check(port: int, version: str = "v2") -> subprocess.CompletedProcess[str]:
    script = render_goal_check("127.0.0.1", port=port, version=version)
    return subprocess.run(
        ["bash", "-s"], input=script, capture_output=True, text=True, timeout=30, check=False
    )


def test_v2_with_a_seeded_quote_meets_the_goal(app: FakeApp) -> None:
    app.page = "v2-quote"
    result = run_check(app.port)
    assert result.returncode == 0, result.stderr
    assert "goal met" in result.stdout


def test_v1_does_not_meet_the_goal(app: FakeApp) -> None:
    app.page = "v1-quote"
    result = run_check(app.port)
    assert result.returncode == 1
    assert "not serving v2" in result.stderr


def test_v1_is_what_a_fresh_cluster_serves(app: FakeApp) -> None:
    app.page = "v1-quote"
    assert run_check(app.port, version="v1").returncode == 0


@pytest.mark.parametrize("page", ["v2-db-error", "v2-query-error"])
def test_v2_with_a_database_error_does_not_meet_the_goal(app: FakeApp, page: str) -> None:
    app.page = page
    result = run_check(app.port)
    assert result.returncode == 1
    assert "database" in result.stderr


def test_v2_without_a_seeded_quote_does_not_meet_the_goal(app: FakeApp) -> None:
    app.page = "v2-no-quote"
    result = run_check(app.port)
    assert result.returncode == 1
    assert "no seeded quote" in result.stderr


def test_an_error_status_does_not_meet_the_goal(app: FakeApp) -> None:
    app.page = "v2-quote"
    app.status = 503
    result = run_check(app.port)
    assert result.returncode == 1
    assert "503" in result.stderr


def test_nothing_listening_does_not_meet_the_goal() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The socket is closed again: nothing listens on that port now.
    result = run_check(port)
    assert result.returncode == 1
    assert "no answer" in result.stderr
