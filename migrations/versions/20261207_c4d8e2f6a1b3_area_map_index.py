"""An index that answers the map pages' area queries without reading the outlines.

Revision ID: c4d8e2f6a1b3
Revises: 8c4d2e6f1a37
Create Date: 2026-12-07 18:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d8e2f6a1b3'
down_revision = '8c4d2e6f1a37'
branch_labels = None
depends_on = None

COLUMNS = [
    'level', 'retired_at', 'code', 'updated_at', 'approximate',
    'min_lng', 'min_lat', 'max_lng', 'max_lat',
]


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index('ix_areas_map', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index('ix_areas_map')
