"""What each scan result tells the reader, in their language (pages and API alike)."""

from flask_babel import gettext as _

from scheduling.checkin.models import ScanResult

#: the HTTP status of each refusal, on the API and on the check-in pages
STATUS = {
    ScanResult.OK: 201,
    ScanResult.ALREADY_CHECKED_IN: 409,
    ScanResult.NO_SHIFT_NOW: 409,
    ScanResult.SHIFT_FULL: 409,
    ScanResult.INVALID_TOKEN: 403,
    ScanResult.EXPIRED_TOKEN: 410,
    ScanResult.ROTATED_TOKEN: 410,
    # stored and flagged, not refused: accepted for a coordinator to confirm
    ScanResult.LATE_SYNC: 202,
    # the device's clock contradicts the shift or the server: a conflict, like no_shift_now
    ScanResult.SCANNED_BEFORE_SHIFT: 409,
    ScanResult.SCANNED_IN_FUTURE: 409,
}


def result_message(result: ScanResult, badge: bool = False) -> str:
    """The sentence shown for a scan's result; `badge` for the coordinator's scanner."""
    result = ScanResult(result)
    if badge:
        special = {
            ScanResult.OK: _("Checked in."),
            ScanResult.ALREADY_CHECKED_IN: _("This volunteer is already checked in."),
            ScanResult.NO_SHIFT_NOW: _(
                "This volunteer cannot check in here now: there is no shift open for check-in, "
                "or they are booked at another service point at this time."
            ),
            ScanResult.EXPIRED_TOKEN: _(
                "This badge has expired: ask the volunteer to open their badge page again."
            ),
            ScanResult.INVALID_TOKEN: _(
                "This is not a valid volunteer badge. Check the code and try again."
            ),
            # the scanner is the coordinator's own phone: "see the coordinator" would be no help
            ScanResult.SHIFT_FULL: _(
                "This shift is full, so this volunteer cannot join it as a walk-in. To let them "
                "in, add them on the shift's staffing page."
            ),
        }
        if result in special:
            return special[result]
    return {
        ScanResult.OK: _("You are checked in. Thank you for coming!"),
        ScanResult.ALREADY_CHECKED_IN: _("You are already checked in for this shift."),
        ScanResult.NO_SHIFT_NOW: _(
            "There is no shift for you at this service point now. Check-in opens 30 minutes "
            "before a shift starts and closes when it ends."
        ),
        ScanResult.EXPIRED_TOKEN: _(
            "This QR code has expired. Scan the code shown at the counter again."
        ),
        ScanResult.INVALID_TOKEN: _(
            "This QR code is not a valid check-in code. Scan the poster or the screen at the "
            "service point."
        ),
        ScanResult.ROTATED_TOKEN: _(
            "This poster has been replaced by a new one. Scan the new poster at the service point."
        ),
        ScanResult.SHIFT_FULL: _(
            "This shift is full, so you cannot join it as a walk-in. Please talk to the "
            "coordinator at the counter."
        ),
        ScanResult.LATE_SYNC: _(
            "This scan arrived after its shift ended. It is saved, and its hours count once "
            "a coordinator of the commune confirms it."
        ),
        ScanResult.SCANNED_BEFORE_SHIFT: _(
            "This scan says it was made before check-in for the shift opened (30 minutes "
            "before its start), so it cannot check anyone in."
        ),
        ScanResult.SCANNED_IN_FUTURE: _(
            "This scan says it was made later than the server received it: check the "
            "device's clock."
        ),
    }[result]
