"""The pages every spreadsheet import shares: upload and preview, then confirm.

An import names its `plan` (file -> Preview, writing nothing) and `apply` (an acceptable
Preview -> rows written); this module does the rest the same way for each: the file is kept
under the instance folder between the two requests (app.spreadsheets.stash), judged again on
confirmation against the database as it is then, and written all or nothing in one commit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import spreadsheets
from app.extensions import db
from app.forms import ConfirmImportForm, SpreadsheetForm
from app.places.models import Province
from app.places.services import get_by_code, provinces_covered
from app.scope import CoordinatorScope
from app.spreadsheets import OUTCOME_LABELS, Outcome, Preview, SheetError


@dataclass(frozen=True)
class ImportPage:
    """One import's page: its kind (the stash's name for it), template and operations."""

    kind: str
    template: str
    #: (session, data, filename, province, scope, actor) -> Preview
    plan: Callable[..., Preview]
    #: (session, preview, actor) -> counts
    apply: Callable[..., object]
    #: the endpoints of the page and of its confirmation
    endpoint: str
    confirm_endpoint: str

    def _form(self) -> SpreadsheetForm:
        form = SpreadsheetForm()
        scope = CoordinatorScope.of(current_user)
        form.province.choices = [(p.code, p.name) for p in provinces_covered(db.session, scope)]
        return form

    def _render(self, form, status=200, **context):
        return (
            render_template(
                self.template,
                form=form,
                outcome_labels=OUTCOME_LABELS,
                preview=context.pop("preview", None),
                confirm_form=context.pop("confirm_form", None),
                error=context.pop("error", None),
                **context,
            ),
            status,
        )

    def _preview(self, data: bytes, filename: str, province_code: str) -> Preview:
        province = get_by_code(db.session, Province, province_code)
        return self.plan(
            db.session,
            data,
            filename,
            province,
            CoordinatorScope.of(current_user),
            current_user,
        )

    def upload(self):
        """GET: the form; POST: read the file and show what it would do, writing nothing."""
        form = self._form()
        if not form.is_submitted():
            return self._render(form)
        if not form.validate():
            return self._render(form, 400)
        upload = form.spreadsheet.data
        data = upload.read()
        try:
            preview = self._preview(data, upload.filename or "", form.province.data)
        except SheetError as error:
            return self._render(form, 400, error=error.message)
        confirm_form = None
        if preview.acceptable and preview.changes:
            confirm_form = ConfirmImportForm(formdata=None)
            confirm_form.token.data = spreadsheets.stash(
                data,
                user_id=current_user.id,
                kind=self.kind,
                filename=upload.filename or "",
                province=form.province.data,
            )
            confirm_form.action = url_for(self.confirm_endpoint)
        status = 200 if preview.acceptable else 422
        return self._render(form, status, preview=preview, confirm_form=confirm_form)

    def confirm(self):
        """Judge the kept file again and write it, all or nothing, in one commit."""
        confirm_form = ConfirmImportForm()
        form = self._form()
        if not confirm_form.validate_on_submit():
            return self._render(
                form, 400, error=_("This preview is too old or not yours: upload the file again.")
            )
        token = confirm_form.token.data
        try:
            data, context = spreadsheets.unstash(token, user_id=current_user.id, kind=self.kind)
            preview = self._preview(data, context["filename"], context["province"])
        except SheetError as error:
            return self._render(form, 400, error=error.message)
        if not preview.acceptable:
            # the database changed since the preview: show the new judgement, write nothing
            return self._render(form, 409, preview=preview)
        self.apply(db.session, preview, current_user)
        db.session.commit()
        spreadsheets.discard(token)
        counts = preview.counts
        flash(
            _(
                "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
                created=counts[Outcome.CREATED],
                updated=counts[Outcome.UPDATED],
                unchanged=counts[Outcome.UNCHANGED],
            )
        )
        return redirect(url_for(self.endpoint))
