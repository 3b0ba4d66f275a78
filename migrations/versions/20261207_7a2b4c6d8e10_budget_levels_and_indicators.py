"""Pagu on every budget level, the indicator each level reports on, the office's serapan rounding.

Revision ID: 7a2b4c6d8e10
Revises: 6a2b3c4d5e16
Create Date: 2026-12-07 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a2b4c6d8e10'
down_revision = '6a2b3c4d5e16'
branch_labels = None
depends_on = None

INDICATORS = (
    'permakanan', 'sandang', 'tempat_penampungan', 'kelompok_rentan', 'psikososial',
    'capaian_spm', 'tagana', 'ksb', 'lumbung_sosial', 'persen_korban_dibantu',
)
# The Renstra/SPM indicator each standard program and kegiatan reports on (budget/services.py).
DEFAULTS = {
    '1.06.06': 'persen_korban_dibantu',
    '1.06.06.2.01': 'capaian_spm',
    '1.06.06.2.02': 'ksb',
}


def upgrade():
    with op.batch_alter_table('budget_nodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator', sa.String(length=30), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_budget_nodes_indicator_known'),
            f"indicator IS NULL OR indicator IN {INDICATORS!r}",
        )
    nodes = sa.table('budget_nodes', sa.column('code', sa.String), sa.column('indicator', sa.String))
    for code, indicator in DEFAULTS.items():
        op.execute(nodes.update().where(nodes.c.code == code).values(indicator=indicator))
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.alter_column('pagu_awal', existing_type=sa.BigInteger(), nullable=True)
    with op.batch_alter_table('office_profile', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('serapan_places', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_office_profile_serapan_places_known'), 'serapan_places IN (0, 2)'
        )


def downgrade():
    with op.batch_alter_table('office_profile', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_office_profile_serapan_places_known'), type_='check'
        )
        batch_op.drop_column('serapan_places')
    lines = sa.table('budget_lines', sa.column('pagu_awal', sa.BigInteger))
    op.execute(lines.update().where(lines.c.pagu_awal.is_(None)).values(pagu_awal=0))
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.alter_column('pagu_awal', existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table('budget_nodes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_budget_nodes_indicator_known'), type_='check')
        batch_op.drop_column('indicator')
