"""An index on victims.kelurahan_code for lists narrowed to a wilayah by code prefix.

Revision ID: 3c5d7e9f1a42
Revises: c4d8e2f6a1b3
Create Date: 2026-12-07 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5d7e9f1a42'
down_revision = 'c4d8e2f6a1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_victims_kelurahan_code',
        'victims',
        ['kelurahan_code'],
        postgresql_ops={'kelurahan_code': 'text_pattern_ops'},
    )


def downgrade():
    op.drop_index('ix_victims_kelurahan_code', table_name='victims')
