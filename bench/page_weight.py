"""Page weight: every page a volunteer or a learner opens, HTML + CSS + JS, gzip, no images.

    python -m bench.page_weight [--limit-kb 50] [--max-pages 150]

Starts the demo site (bench/site.py: scratch SQLite, gunicorn), signs in as a demo volunteer and
a demo learner, and crawls the site from "/" as each of them, following same-site links of the
pages (at most 4 URLs per route, so day-by-day links do not run away; never /logout, static
files or the API). For each page: the HTML, plus the stylesheets and scripts it links, each
compressed with gzip (level 6, as a reverse proxy would), summed. Prints every page and flags
those of LIMIT KB or more. New pages join by themselves when something links to them.
"""

import argparse
import gzip
import re
import sys
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.site import LEARNER, VOLUNTEER, demo_site

PER_ROUTE = 4
SKIP = ("/static/", "/api/", "/logout", "/language")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.assets = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.assets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _route_key(path):
    """Paths of one route share a key: digits and the last segment of /x/<slug> pages vary."""
    return re.sub(r"\d+", "N", path)


def crawl(site, cookie, max_pages):
    """[(path, html bytes, asset paths)] of the pages reachable from / with this cookie."""
    seen, pages, per_route = set(), [], Counter()
    queue = deque(["/"])
    assets_cache = {}
    while queue and len(pages) < max_pages:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        status, body, headers = site.get(path, cookie=cookie)
        if status != 200 or "text/html" not in headers.get("content-type", ""):
            continue
        parser = Links()
        parser.feed(body.decode("utf-8", "replace"))
        pages.append((path, body, parser.assets))
        for asset in parser.assets:
            if asset not in assets_cache:
                assets_cache[asset] = site.get(urlsplit(urljoin("/", asset)).path)[1]
        for href in parser.links:
            target = urlsplit(urljoin(path, href))
            if target.scheme or target.netloc:
                continue
            url = target.path + (f"?{target.query}" if target.query else "")
            if url in seen or any(target.path.startswith(s) for s in SKIP):
                continue
            key = _route_key(target.path)
            if per_route[key] >= PER_ROUTE:
                continue
            per_route[key] += 1
            queue.append(url)
    return pages, assets_cache


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_weight", description=__doc__)
    parser.add_argument("--limit-kb", type=float, default=50.0)
    parser.add_argument("--max-pages", type=int, default=150)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    began = time.monotonic()
    limit = args.limit_kb * 1024
    heavy = total = 0
    with demo_site() as site:
        for who in (VOLUNTEER, LEARNER):
            cookie = site.sign_in(who)
            pages, assets = crawl(site, cookie, args.max_pages)
            print(f"page weight as {who}: {len(pages)} pages (gzip: HTML + CSS + JS)", flush=True)
            largest = 0
            for path, html, linked in pages:
                css_js = sum(gz(assets[a]) for a in dict.fromkeys(linked))
                weight = gz(html) + css_js
                largest = max(largest, weight)
                flag = "  <-- over the limit" if weight >= limit else ""
                heavy += weight >= limit
                total += 1
                print(
                    f"  {weight / 1024:6.1f} KB  (html {gz(html) / 1024:5.1f}, "
                    f"css+js {css_js / 1024:4.1f})  {path}{flag}"
                )
            print(f"  largest: {largest / 1024:.1f} KB", flush=True)
    print(
        f"page weight: {total} pages, {heavy} at or over {args.limit_kb:.0f} KB "
        f"({time.monotonic() - began:.0f} s)"
    )
    return 0 if heavy == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
