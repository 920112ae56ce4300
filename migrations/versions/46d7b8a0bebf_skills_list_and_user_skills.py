"""the skill list admins keep, and people's skills one row each instead of a JSON list (issue 16)

Skills were a fixed dict in app/auth/forms.py and each user's a JSON list of codes, which no
query could match against a shift. The list becomes the `skills` table (seeded with the codes of
that dict, their names in both languages, and VNeID help and digital signature), and each
person's skills become rows of `user_skills`, indexed by skill, so "volunteers with skill S" is
an indexed question on SQLite and PostgreSQL. A code found in a JSON list but not in the dict
becomes an inactive skill named by its code, so no one's skill is lost.

Revision ID: 46d7b8a0bebf
Revises: b7d3e1f05a92
Create Date: 2026-12-05 23:30:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "46d7b8a0bebf"
down_revision = "b7d3e1f05a92"
branch_labels = None
depends_on = None

#: the skill list at this revision: (code, Vietnamese name, English name)
SKILLS = (
    ("it", "Công nghệ thông tin", "Information technology"),
    ("telecom", "Viễn thông", "Telecommunications"),
    ("elderly", "Hỗ trợ người cao tuổi", "Supporting elderly residents"),
    ("disability", "Hỗ trợ người khuyết tật", "Supporting people with disabilities"),
    ("legal", "Thủ tục hành chính và pháp luật", "Administrative procedures and law"),
    ("sign_language", "Ngôn ngữ ký hiệu", "Sign language"),
    ("vneid", "Hướng dẫn dùng VNeID", "VNeID help"),
    ("digital_signature", "Chữ ký số", "Digital signature"),
)

skills = sa.table(
    "skills",
    sa.column("code", sa.String),
    sa.column("name_vi", sa.String),
    sa.column("name_en", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
user_skills = sa.table("user_skills", sa.column("user_id", sa.Integer), sa.column("skill_code"))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("skills", sa.JSON))


def upgrade():
    op.create_table(
        "skills",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_vi", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_skills")),
    )
    op.create_table(
        "user_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_skills_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["skill_code"],
            ["skills.code"],
            name=op.f("fk_user_skills_skill_code_skills"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_code", name=op.f("pk_user_skills")),
    )
    op.create_index(
        "ix_user_skills_skill_code_user_id", "user_skills", ["skill_code", "user_id"]
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    known = {code for code, _vi, _en in SKILLS}
    held = []
    for user_id, codes in connection.execute(sa.select(users.c.id, users.c.skills)).all():
        for code in dict.fromkeys(c for c in codes or () if isinstance(c, str) and c.strip()):
            held.append({"user_id": user_id, "skill_code": code[:40]})
    unknown = sorted({row["skill_code"] for row in held} - known)
    rows = [{"code": c, "name_vi": vi, "name_en": en, "active": True} for c, vi, en in SKILLS]
    rows += [{"code": c, "name_vi": c, "name_en": c, "active": False} for c in unknown]
    for row in rows:
        connection.execute(skills.insert().values(created_at=now, **row))
    if held:
        connection.execute(user_skills.insert(), held)
    # a native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of `users` would drop the
    # table, and with SQLite's foreign keys on, cascade to every row that names a user
    op.execute("ALTER TABLE users DROP COLUMN skills")


def downgrade():
    op.add_column(
        "users", sa.Column("skills", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )
    connection = op.get_bind()
    held: dict[int, list[str]] = {}
    for user_id, code in connection.execute(
        sa.select(user_skills.c.user_id, user_skills.c.skill_code).order_by(
            user_skills.c.user_id, user_skills.c.skill_code
        )
    ):
        held.setdefault(user_id, []).append(code)
    for user_id, codes in held.items():
        connection.execute(users.update().where(users.c.id == user_id).values(skills=codes))
    op.drop_index("ix_user_skills_skill_code_user_id", table_name="user_skills")
    op.drop_table("user_skills")
    op.drop_table("skills")
