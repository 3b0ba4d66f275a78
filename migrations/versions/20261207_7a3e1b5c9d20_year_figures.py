"""Stored per-year figures of the Renstra (multi-year) view.

Revision ID: 7a3e1b5c9d20
Revises: 7a2b4c6d8e10
Create Date: 2026-12-07 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3e1b5c9d20'
down_revision = '7a2b4c6d8e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'year_figures',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=True),
        sa.Column('figures_version', sa.Integer(), nullable=True),
        sa.Column('computed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_year_figures')),
    )


def downgrade():
    op.drop_table('year_figures')
