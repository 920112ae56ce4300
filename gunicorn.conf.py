"""gunicorn's settings for Cầu Nối, read by `gunicorn --config gunicorn.conf.py wsgi:app` (and by
a plain `gunicorn wsgi:app` started in this folder, gunicorn's default config file).

No `Server: gunicorn` banner. gunicorn writes that line itself, before the application's headers,
and has no setting to drop or change it (benoitc/gunicorn#825, declined); a WSGI middleware cannot
remove it either, since the server adds it after the application answered. So the line is dropped
where gunicorn builds it. The master runs this file before forking, so every worker inherits it.
`tests/app/test_security.py` starts gunicorn with this file and reads the raw answer: a gunicorn
upgrade that moves the line makes that test fail rather than bring the banner back silently.
"""

from gunicorn.http import wsgi

_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response):
    return [
        line
        for line in _gunicorn_default_headers(response)
        if not line.lower().startswith("server:")
    ]


wsgi.Response.default_headers = _default_headers_without_server
