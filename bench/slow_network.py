"""The shift board on a slow mobile link: Chromium, DevTools network emulation.

    python -m bench.slow_network [--runs 3] [--kbps 400] [--latency 400]

Starts the demo site (bench/site.py), signs a demo volunteer in (unthrottled), then, in a fresh
page with the cache disabled and `Network.emulateNetworkConditions` at KBPS kbit/s down and up
and LATENCY ms, opens /shifts and measures from the start of navigation: DOMContentLoaded, load,
and "usable": the commune search field visible and enabled and the page's scripts run. Runs RUNS
times and prints each run and the medians. Chromium: /usr/bin/chromium (never downloaded).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.site import VOLUNTEER, demo_site

CHROMIUM = "/usr/bin/chromium"
SEARCH_FIELD = "input[name=commune]"


def _measure(browser, site, cookie, kbps, latency):
    context = browser.new_context(base_url=site.base)
    context.add_cookies(
        [
            {"name": k, "value": v, "url": site.base}
            for k, v in (part.split("=", 1) for part in cookie.split("; "))
        ]
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    rate = kbps * 1000 / 8  # bytes per second
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency,
            "downloadThroughput": rate,
            "uploadThroughput": rate,
        },
    )
    start = time.perf_counter()
    page.goto("/shifts", wait_until="domcontentloaded", timeout=60_000)
    page.wait_for_selector(SEARCH_FIELD, state="visible", timeout=60_000)
    page.wait_for_function(
        f"document.querySelector('{SEARCH_FIELD}') && !document.querySelector('{SEARCH_FIELD}')"
        ".disabled && document.readyState !== 'loading'",
        timeout=60_000,
    )
    usable = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("load", timeout=60_000)
    timing = page.evaluate(
        "() => { const t = performance.getEntriesByType('navigation')[0];"
        " return {dcl: t.domContentLoadedEventEnd, load: t.loadEventEnd, bytes: t.transferSize}; }"
    )
    resources = page.evaluate(
        "() => performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0)"
    )
    assert "/login" not in page.url, "the volunteer is not signed in"
    context.close()
    return timing["dcl"], timing["load"], usable, timing["bytes"] + resources


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_network", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kbps", type=float, default=400, help="kbit/s, down and up")
    parser.add_argument("--latency", type=float, default=400, help="ms added to each request")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not Path(CHROMIUM).exists():
        print(f"slow_network: {CHROMIUM} is missing (apt-get install chromium); skipped")
        return 0
    from playwright.sync_api import sync_playwright

    print(
        f"slow network: /shifts as {VOLUNTEER}, {args.kbps:.0f} kbit/s down and up, "
        f"{args.latency:.0f} ms latency, cache disabled, {args.runs} runs",
        flush=True,
    )
    with demo_site() as site, sync_playwright() as playwright:
        cookie = site.sign_in(VOLUNTEER)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--headless"]
        )
        results = []
        try:
            for run in range(1, args.runs + 1):
                dcl, load, usable, size = _measure(browser, site, cookie, args.kbps, args.latency)
                results.append((dcl, load, usable))
                print(
                    f"  run {run}: DOMContentLoaded {dcl:.0f} ms, load {load:.0f} ms, "
                    f"search field usable {usable:.0f} ms ({size / 1024:.1f} KB transferred)",
                    flush=True,
                )
        finally:
            browser.close()
    medians = [statistics.median(values) for values in zip(*results, strict=True)]
    print(
        f"slow network median: DOMContentLoaded {medians[0]:.0f} ms, load {medians[1]:.0f} ms, "
        f"usable {medians[2]:.0f} ms (target: under 3000 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
