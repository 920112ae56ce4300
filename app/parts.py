"""What a part hands the kernel at start-up and the kernel calls back, without importing the part.

Two things: the demo (`flask demo` loads the kernel's own demo, accounts and service points, then
each part's loader in the order the parts were initialised) and the blocks of a signed-in
person's home page (each part words the "today" of the data it owns).
"""

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.auth.models import User
from app.places.models import Commune, Province
from app.roles import Role

#: a part's demo loader: (session, Hanoi, Phường Bồ Đề) -> counts of what it created
DemoLoader = Callable[[Session, Province, Commune], dict[str, int]]


def add_demo(app: Flask, loader: DemoLoader) -> None:
    """Register a part's demo loader with this app."""
    app.extensions.setdefault("caunoi.demo", []).append(loader)


def demo_loaders() -> list[DemoLoader]:
    """The current app's demo loaders, in the order the parts registered them."""
    return list(current_app.extensions.get("caunoi.demo", []))


#: a part's block on a signed-in person's home: (session, user, their roles) -> HTML, or None
#: when the block has nothing for this person (they lack the role, or there is nothing to show)
HomeBlock = Callable[[Session, User, set[Role]], str | None]

#: where a block stands on the home page: the volunteer's day first, the admin's last
HOME_ORDER = {Role.VOLUNTEER: 10, Role.COORDINATOR: 20, Role.LEARNER: 30, Role.ADMIN: 40}


def add_home_block(app: Flask, role: Role, block: HomeBlock) -> None:
    """Register a part's block on the home page, shown among the blocks of that role."""
    app.extensions.setdefault("caunoi.home", []).append((HOME_ORDER[role], block))


def home_blocks() -> list[HomeBlock]:
    """The current app's home blocks: by role (volunteer, coordinator, learner, admin), then in
    the order the parts registered them."""
    entries = current_app.extensions.get("caunoi.home", [])
    return [block for _order, block in sorted(entries, key=lambda entry: entry[0])]
