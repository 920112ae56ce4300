"""A real SMTP server for the mail tests (aiosmtpd in a thread), keeping what it received."""

from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Recorder:
    """The server's handler: accepts every message (or refuses recipients) and keeps them."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        #: when set, every recipient is refused with this reply, e.g. "550 no such user"
        self.refuse: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class LocalSMTP(Controller):
    """Listens on 127.0.0.1, on a port the system picks (port 0) unless one is given: a
    server stopped and started again on its old port is "down, then back"."""

    def __init__(self, recorder: Recorder, port: int = 0) -> None:
        super().__init__(recorder, hostname="127.0.0.1", port=port)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]  # the port the system gave
        super()._trigger_server()

    def stop(self, *args, **kwargs):
        """Stop, unless a test already stopped it (the server is down)."""
        if self._thread is not None:
            super().stop(*args, **kwargs)
