"""Spreadsheet imports: preview and import 5,000 volunteers, then preview the same file again.

    python -m bench.imports [--rows 5000]

A scratch SQLite database in a temp folder: the places, one team, then a generated class list
of `rows` volunteers (each with a home commune by name, skills and the team). Times the preview
(read and judge, nothing written), the import (accounts, memberships, audit entries and
invitations, one commit) and the second preview (everything unchanged). The issue asks the
5,000-row import to finish under 30 s.
"""

import argparse
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args(argv)

    import flask_migrate
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.places.models import Commune, Province
    from app.places.services import import_places
    from app.scope import CoordinatorScope
    from scheduling.imports import services
    from scheduling.teams.models import Team, TeamKind

    with tempfile.TemporaryDirectory() as workdir:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(workdir) / "imports.sqlite3"),
                "SECRET_KEY": "bench",
                "SITE_URL": "https://caunoi.example.vn",
            }
        )
        with app.app_context(), app.test_request_context():
            flask_migrate.upgrade()
            import_places(db.session)
            hanoi = db.session.scalar(select(Province).where(Province.code == "01"))
            bo_de = db.session.scalar(select(Commune).where(Commune.code == "00130"))
            db.session.add(
                Team(
                    name="Lớp CNTT-01",
                    kind=TeamKind.UNIVERSITY_CLASS,
                    province_id=hanoi.id,
                    commune_id=bo_de.id,
                )
            )
            db.session.commit()
            header = "full_name,email,phone,organisation,class_name,home_commune,skills,team\n"
            data = (
                header
                + "".join(
                    f"Tình nguyện viên {n},tnv{n}@example.com,0912 000 {n:03d},ĐH Bách khoa,"
                    f"CNTT-01,Phường Bồ Đề,it,Lớp CNTT-01\n"
                    for n in range(args.rows)
                )
            ).encode("utf-8-sig")
            scope = CoordinatorScope(everything=True)

            started = time.perf_counter()
            preview = services.plan(db.session, data, "class.csv", hanoi, scope, None)
            previewed = time.perf_counter()
            services.apply(db.session, preview, None)
            db.session.commit()
            imported = time.perf_counter()
            again = services.plan(db.session, data, "class.csv", hanoi, scope, None)
            second = time.perf_counter()
            db.session.remove()

    print(f"rows: {args.rows}")
    print(f"preview: {previewed - started:.1f} s ({preview.counts['created']} to create)")
    print(f"import: {imported - previewed:.1f} s")
    print(f"second preview: {second - imported:.1f} s ({again.counts['unchanged']} unchanged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
