"""What a part hands the kernel at start-up and the kernel calls back, without importing the part.

Today one thing: the demo. `flask demo` loads the kernel's own demo (accounts, service points),
then each part's loader in the order the parts were initialised.
"""

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.places.models import Commune, Province

#: a part's demo loader: (session, Hanoi, Phường Bồ Đề) -> counts of what it created
DemoLoader = Callable[[Session, Province, Commune], dict[str, int]]


def add_demo(app: Flask, loader: DemoLoader) -> None:
    """Register a part's demo loader with this app."""
    app.extensions.setdefault("caunoi.demo", []).append(loader)


def demo_loaders() -> list[DemoLoader]:
    """The current app's demo loaders, in the order the parts registered them."""
    return list(current_app.extensions.get("caunoi.demo", []))
