"""Login throttle counts shared by every web process while Redis is unreachable.

Revision ID: 5d1e7a3c9b42
Revises: 5e55a0f1c7d2
Create Date: 2026-12-07 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e7a3c9b42'
down_revision = '5e55a0f1c7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('window', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window', name=op.f('pk_login_throttle'))
    )


def downgrade():
    op.drop_table('login_throttle')
