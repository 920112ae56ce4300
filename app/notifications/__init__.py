"""Notifications: in-app notices with a copy by mail, in each reader's own language."""

from flask import Flask


def init_channels(app: Flask) -> None:
    """Web Push and SMS: their tables, pages and commands, and each channel the configuration
    turns on, registered in CHANNELS (one left unconfigured is taken out: a second app in the
    same process does not inherit the first one's)."""
    from app.notifications.channels import CHANNELS, push, sms
    from app.notifications.channels import models as _channel_models  # noqa: F401  (its tables)
    from app.notifications.channels.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(push.push_cli)
    for name, factory in (("push", push.from_config), ("sms", sms.from_config)):
        channel = factory(app.config)
        if channel is None:
            CHANNELS.pop(name, None)
        else:
            CHANNELS[name] = channel
