"""gunicorn's settings for Cầu Nối, read by `gunicorn --config gunicorn.conf.py wsgi:app` (and by
a plain `gunicorn wsgi:app` started in this folder, gunicorn's default config file).

No `Server: gunicorn` banner. gunicorn writes that line itself, before the application's headers,
and has no setting to drop or change it (benoitc/gunicorn#825, declined); a WSGI middleware cannot
remove it either, since the server adds it after the application answered. So the line is dropped
where gunicorn builds it. The master runs this file before forking, so every worker inherits it.
`tests/app/test_security.py` starts gunicorn with this file and reads the raw answer: a gunicorn
upgrade that moves the line makes that test fail rather than bring the banner back silently.

Each worker freezes what loading the application made (`post_worker_init`): see there.
"""

import gc

from gunicorn.http import wsgi

_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response):
    return [
        line
        for line in _gunicorn_default_headers(response)
        if not line.lower().startswith("server:")
    ]


wsgi.Response.default_headers = _default_headers_without_server


def post_worker_init(_worker):
    """Move every object the worker holds once the application is loaded (modules, the app, its
    routes, templates, mappers: about 230,000) out of reach of the garbage collector's full
    passes, which otherwise walk them all. They live as long as the worker; a full pass over
    them took about 0.1 s, every few thousand API requests (gc.freeze, Python's own remedy)."""
    gc.freeze()
