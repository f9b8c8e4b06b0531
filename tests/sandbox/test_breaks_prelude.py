"""The prelude's kb_* helpers behave like KlusteredBench's, against a real HTTP server."""

from __future__ import annotations

import http.server
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from breaks.render import prelude

pytestmark = pytest.mark.sandbox

QUOTE = "Productivity does not determine your value. You have value in just being you."


class App:
    """A stand-in klustered app: serves whatever page the test sets."""

    def __init__(self) -> None:
        self.page = ""
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = app.page.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app() -> Iterator[App]:
    served = App()
    try:
        yield served
    finally:
        served.close()


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A kubectl stand-in: node InternalIP 127.0.0.1, app pod klustered-abc."""
    d = tmp_path / "bin"
    d.mkdir()
    kubectl = d / "kubectl"
    kubectl.write_text(
        "#!/bin/bash\n"
        'case "$*" in\n'
        "  *'get nodes'*) printf 127.0.0.1 ;;\n"
        "  *'get pods -l app=klustered'*) printf klustered-abc ;;\n"
        "esac\n"
    )
    kubectl.chmod(0o755)
    return d


def run(
    script: str, bin_dir: Path, tmp_path: Path, port: int = 1
) -> subprocess.CompletedProcess[str]:
    text = prelude() + "\n" + script
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "KB_APP_PORT": str(port),
        "KLUSTERED_STATE_DIR": str(tmp_path / "state"),
        "KLUSTERED_BREAK_ID": "demo",
    }
    return subprocess.run(
        ["bash", "-s"], input=text, capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_kb_app_ok_wants_a_seeded_quote_and_v2_when_asked(
    app: App, bin_dir: Path, tmp_path: Path
) -> None:
    app.page = f"<title>Klustered v1</title><p>{QUOTE}</p>"
    assert run("kb_app_ok", bin_dir, tmp_path, app.port).returncode == 0
    not_v2 = run("kb_app_ok v2", bin_dir, tmp_path, app.port)
    assert not_v2.returncode == 1
    assert "does not serve v2" in not_v2.stderr
    app.page = f"<title>Klustered v2</title><p>{QUOTE}</p>"
    assert run("kb_app_ok v2", bin_dir, tmp_path, app.port).returncode == 0


def test_kb_app_ok_fails_without_a_quote_or_with_a_database_error(
    app: App, bin_dir: Path, tmp_path: Path
) -> None:
    app.page = "<title>Klustered v2</title>"
    assert "without a seeded quote" in run("kb_app_ok", bin_dir, tmp_path, app.port).stderr
    app.page = f"{QUOTE} Failed to connect to database"
    assert run("kb_app_ok", bin_dir, tmp_path, app.port).returncode == 1


def test_kb_app_ok_fails_when_nothing_listens(bin_dir: Path, tmp_path: Path) -> None:
    assert run("kb_app_ok", bin_dir, tmp_path, port=1).returncode == 1


def test_kb_http_get_prints_the_raw_response(app: App, bin_dir: Path, tmp_path: Path) -> None:
    app.page = "hello"
    out = run(f"kb_http_get 127.0.0.1 {app.port} /x", bin_dir, tmp_path).stdout
    assert out.startswith("HTTP/1.0 200")
    assert out.endswith("hello")


def test_kb_wait_retries_until_success_or_gives_up(bin_dir: Path, tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    ok = run(f"(sleep 1; touch {flag}) & kb_wait 20 test -e {flag}", bin_dir, tmp_path)
    assert ok.returncode == 0
    start = time.monotonic()
    gave_up = run("kb_wait 2 false", bin_dir, tmp_path)
    assert gave_up.returncode == 1
    assert "gave up waiting for: false" in gave_up.stderr
    assert 2 <= time.monotonic() - start < 10


def test_kb_wait_runs_exported_helpers_in_subshells(bin_dir: Path, tmp_path: Path) -> None:
    result = run("kb_wait 5 bash -c '[ \"$(kb_app_pod)\" = klustered-abc ]'", bin_dir, tmp_path)
    assert result.returncode == 0, result.stderr


def test_kb_node_ip_and_kb_app_pod_ask_the_api(bin_dir: Path, tmp_path: Path) -> None:
    out = run('echo "$(kb_node_ip) $(kb_app_pod)"', bin_dir, tmp_path).stdout
    assert out.strip() == "127.0.0.1 klustered-abc"


def test_kl_backup_keeps_the_first_copy_and_kl_restore_puts_it_back(
    bin_dir: Path, tmp_path: Path
) -> None:
    f = tmp_path / "config.yaml"
    f.write_text("original\n")
    f.chmod(0o600)
    script = (
        f"kl_backup {f}; echo one >{f}; kl_backup {f}; echo two >{f}; "
        f"kl_restore {f}; kl_restore {f}"
    )
    assert run(script, bin_dir, tmp_path).returncode == 0
    assert f.read_text() == "original\n"
    assert f.stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "state" / "demo").iterdir()) == []


def test_kl_retry_retries_then_reports(bin_dir: Path, tmp_path: Path) -> None:
    counter = tmp_path / "n"
    script = f"kl_retry 2 bash -c 'echo x >>{counter}; false'"
    result = run(script, bin_dir, tmp_path)
    assert result.returncode == 1
    assert counter.read_text().count("x") == 2
    assert "failed 2 times" in result.stderr
