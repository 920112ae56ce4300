"""Every .xlsx download opens in LibreOffice with the cells of its CSV sibling, Vietnamese intact
and phone numbers with their leading zero: LibreOffice itself converts the workbooks to CSV here.

LibreOffice (`soffice`) must be installed: `.ci/run` installs it and sets SOFFICE_REQUIRED=1, so
that a missing one fails this test there; elsewhere it is skipped without it
(`apt-get install libreoffice-calc-nogui`).
"""

import csv
import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.database import begin_write
from app.extensions import db
from impact.assists.services import record_assist
from scheduling.booking.services import book_shift
from tests.harness import NOW

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: make_shift()'s default shift starts on this day in Hanoi
DAY = "2030-01-08"
#: an hour on that day when a volunteer is on duty and logs an assisted dossier
MORNING = datetime(2030, 1, 8, 2, tzinfo=UTC)
#: UTF-8 (76), comma-separated (44), fields in double quotes (34)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76"


@pytest.fixture
def soffice():
    if SOFFICE is None:
        if os.environ.get("SOFFICE_REQUIRED") == "1":
            pytest.fail(
                "SOFFICE_REQUIRED=1 but soffice is missing: apt-get install libreoffice-calc-nogui"
            )
        pytest.skip("soffice is missing (set SOFFICE_REQUIRED=1 to make this a failure)")
    return SOFFICE


def _opened_by_libreoffice(soffice, folder, workbooks):
    """Each workbook as LibreOffice reads it, saved by LibreOffice as CSV and parsed."""
    paths = []
    for name, body in workbooks.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(body)
        paths.append(str(path))
    out = folder / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *paths,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: _rows((out / f"{name}.csv").read_text("utf-8")) for name in workbooks}


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_every_kind_of_xlsx_download_opens_in_libreoffice_like_its_csv(
    soffice,
    tmp_path,
    client,
    login,
    province_coordinator,
    make_shift,
    make_volunteer,
    volunteer,
    on_duty,
    assist_entry,
):
    on_duty(volunteer, at=MORNING)
    entry = assist_entry(outcome="submitted", reason=None, occurred_at=MORNING.isoformat())
    record_assist(db.session, volunteer, entry, now=MORNING + timedelta(minutes=1))
    shift = make_shift(NOW + timedelta(hours=24))
    for person in (
        make_volunteer(full_name="Nguyễn Thị Hương", phone="0900000009", class_name="00130"),
        make_volunteer(full_name='=HYPERLINK("http://evil")', phone="+84 98 765 4321"),
    ):
        begin_write(db.session)
        book_shift(db.session, shift, person, now=NOW)
        db.session.commit()
    login(province_coordinator)
    point = shift.service_point_id
    urls = {
        "roster": f"/service-points/{point}/roster.%s?date={DAY}",
        "days": f"/impact/days.%s?start={DAY}&end=2030-01-10",
        "targets": f"/impact/targets.%s?start={DAY}&end={DAY}",
        "public": f"/provinces/01/impact/communes.%s?start={DAY}&end={DAY}",
        "learning": "/courses/reports/communes.%s",
    }
    csvs, workbooks = {}, {}
    for name, url in urls.items():
        as_csv, as_xlsx = client.get(url % "csv"), client.get(url % "xlsx")
        assert (as_csv.status_code, as_xlsx.status_code) == (200, 200), name
        csvs[name] = _rows(as_csv.get_data().decode("utf-8-sig"))
        workbooks[name] = as_xlsx.get_data()

    opened = _opened_by_libreoffice(soffice, tmp_path, workbooks)

    assert opened == csvs
    huong = next(row for row in opened["roster"] if row[3] == "Nguyễn Thị Hương")
    assert huong[4] == "0900000009" and huong[6] == "00130"
    assert opened["days"][1:] == [["2030-01-08", "1"], ["2030-01-09", "0"], ["2030-01-10", "0"]]
    assert opened["public"][1][:3] == ["Phường Bồ Đề", "00130", "1"]
