"""Browser tests: a live server on a random port, a real Chromium, axe-core on every page.

Every test in this folder is marked ``e2e``. Without /usr/bin/chromium the tests are skipped,
unless E2E_REQUIRED=1 (as in CI), where a missing browser is a failure.
"""

import os
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}


def _required():
    return os.environ.get("E2E_REQUIRED") == "1"


def pytest_collection_modifyitems(config, items):
    missing = not Path(CHROMIUM).exists()
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if missing and not _required():
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{CHROMIUM} is missing: install it with `apt-get install chromium` "
                    "(set E2E_REQUIRED=1 to make this a failure)"
                )
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"E2E_REQUIRED=1 but {CHROMIUM} is missing: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The site's CSP (script-src 'self') would block axe-core's injected script.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def live_app(app):
    """A second app on the same database, with CSRF on, so the real forms are exercised.

    It depends on ``app`` so the migrations and the places import have run."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "e2e",
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    live_app.config["SITE_URL"] = f"http://127.0.0.1:{server.server_port}"  # QR codes lead here
    yield live_app.config["SITE_URL"]
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


_axe = Axe()


def check_accessibility(page):
    """Run axe-core on the current page; fail on any serious or critical violation."""
    violations = _axe.run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe: {len(blocking)} serious/critical violation(s) on {page.url}"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}")
        pytest.fail("\n".join(lines))


@pytest.fixture
def axe():
    return check_accessibility


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
