"""The admins' page of the skill list: list, add, rename, deactivate, delete one unused."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.access import roles
from app.extensions import db
from app.roles import Role
from app.skills import services
from app.skills.forms import NewSkillForm, SkillNamesForm
from app.skills.models import Skill, UserSkill
from app.text import fold

bp = Blueprint("skills", __name__)

# not in the header's menu (its Staffing group is full): linked from the admin's home block


def _skill(code: str) -> Skill:
    return db.session.get(Skill, code) or abort(404)


def _code_from(name_en: str) -> str:
    """A code made from an English name: "Digital signature" -> "digital_signature"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(name_en)).strip("_")[:40]


def _page(form, status=200):
    holders = dict(
        db.session.execute(
            select(UserSkill.skill_code, func.count()).group_by(UserSkill.skill_code)
        ).all()
    )
    html = render_template(
        "app/skills/index.html",
        skills=services.all_skills(db.session),
        holders=holders,
        form=form,
    )
    return html, status


@bp.get("/admin/skills")
@roles(Role.ADMIN)
def index():
    """Every skill, active or not, with how many people have it; a form to add one."""
    return _page(NewSkillForm())


@bp.post("/admin/skills")
@roles(Role.ADMIN)
def add():
    """Add a skill to the list."""
    form = NewSkillForm()
    if not form.validate():
        return _page(form, 400)
    try:
        skill = services.add_skill(
            db.session,
            form.code.data or _code_from(form.name_en.data),
            form.name_vi.data,
            form.name_en.data,
        )
    except services.SkillError as refusal:
        db.session.rollback()
        field = form.code if refusal.code in ("bad_code", "code_taken") else form.name_vi
        field.errors = [*field.errors, refusal.message]
        return _page(form, 409)
    db.session.commit()
    flash(_("Skill added: %(name)s.", name=skill.name))
    return redirect(url_for("skills.index"))


@bp.route("/admin/skills/<skill_code>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(skill_code):
    """Rename a skill in both languages."""
    skill = _skill(skill_code)
    form = SkillNamesForm(obj=skill)
    if form.validate_on_submit():
        try:
            services.rename_skill(db.session, skill, form.name_vi.data, form.name_en.data)
        except services.SkillError as refusal:
            db.session.rollback()
            form.name_vi.errors = [*form.name_vi.errors, refusal.message]
        else:
            db.session.commit()
            flash(_("Skill renamed: %(name)s.", name=skill.name))
            return redirect(url_for("skills.index"))
    return render_template("app/skills/edit.html", skill=skill, form=form)


@bp.post("/admin/skills/<skill_code>/deactivate")
@roles(Role.ADMIN)
def deactivate(skill_code):
    """Stop offering a skill; those who have it and campaigns asking for it keep it."""
    skill = _skill(skill_code)
    services.set_active(db.session, skill, False)
    db.session.commit()
    flash(_("%(name)s is no longer offered.", name=skill.name))
    return redirect(url_for("skills.index"))


@bp.post("/admin/skills/<skill_code>/activate")
@roles(Role.ADMIN)
def activate(skill_code):
    """Offer a deactivated skill again."""
    skill = _skill(skill_code)
    services.set_active(db.session, skill, True)
    db.session.commit()
    flash(_("%(name)s is offered again.", name=skill.name))
    return redirect(url_for("skills.index"))


@bp.post("/admin/skills/<skill_code>/delete")
@roles(Role.ADMIN)
def delete(skill_code):
    """Delete a skill nobody uses; one in use is refused (deactivate it instead)."""
    skill = _skill(skill_code)
    name = skill.name
    try:
        services.delete_skill(db.session, skill)
    except services.SkillError as refusal:
        db.session.rollback()
        flash(refusal.page_message, "error")
        return redirect(url_for("skills.index"))
    db.session.commit()
    flash(_("Skill deleted: %(name)s.", name=name))
    return redirect(url_for("skills.index"))
