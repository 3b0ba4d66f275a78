"""Sumber dana (funding source) on budget lines and realisations.

Revision ID: 5f1c2a9d7e31
Revises: b2416051748c
Create Date: 2026-12-07 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1c2a9d7e31'
down_revision = 'b2416051748c'
branch_labels = None
depends_on = None

SOURCES = ('dau', 'dak', 'dbh', 'pad', 'btt', 'apbn', 'provinsi', 'hibah')
CHECK = f"funding_source IS NULL OR funding_source IN {SOURCES!r}"


def upgrade():
    for table in ('budget_lines', 'budget_realisations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('funding_source', sa.String(length=12), nullable=True))
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_funding_source_known'), CHECK)


def downgrade():
    for table in ('budget_realisations', 'budget_lines'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_funding_source_known'), type_='check')
            batch_op.drop_column('funding_source')
