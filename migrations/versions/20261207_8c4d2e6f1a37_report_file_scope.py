"""The wilayah scope a generated report file was made for.

Revision ID: 8c4d2e6f1a37
Revises: 7a3e1b5c9d20
Create Date: 2026-12-07 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c4d2e6f1a37"
down_revision = "7a3e1b5c9d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_files") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("report_files") as batch:
        batch.drop_column("scope")
