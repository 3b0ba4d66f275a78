"""Kept per-year figures of the province recap (victims and SPM per kab/kota).

Revision ID: 4d6e8f0a2b53
Revises: 3c5d7e9f1a42
Create Date: 2026-12-07 18:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4d6e8f0a2b53"
down_revision = "3c5d7e9f1a42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recap_figures",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("spm_stamp", sa.DateTime(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_recap_figures")),
    )


def downgrade():
    op.drop_table("recap_figures")
