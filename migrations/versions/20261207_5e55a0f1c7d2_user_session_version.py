"""Users get a session version that ends their sessions and remember-me cookies.

Revision ID: 5e55a0f1c7d2
Revises: b64b6d630175
Create Date: 2026-12-07 11:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e55a0f1c7d2"
down_revision = 'b64b6d630175'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
