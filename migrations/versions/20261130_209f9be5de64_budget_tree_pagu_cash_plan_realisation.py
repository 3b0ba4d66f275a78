"""Budget tree (program, kegiatan, sub-kegiatan), yearly pagu and cash plan, realisation, flagged totals.

Revision ID: 209f9be5de64
Revises: b278c3dbda4d
Create Date: 2026-11-30 16:35:32.217798

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '209f9be5de64'
down_revision = 'b278c3dbda4d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('spm_component', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(level = 'program') = (parent_id IS NULL)", name=op.f('ck_budget_nodes_parent_by_level')),
    sa.CheckConstraint("level IN ('program', 'kegiatan', 'sub_kegiatan')", name=op.f('ck_budget_nodes_level_known')),
    sa.CheckConstraint("spm_component IS NULL OR spm_component IN ('permakanan', 'sandang', 'tempat_penampungan', 'kelompok_rentan', 'psikososial')", name=op.f('ck_budget_nodes_spm_component_known')),
    sa.ForeignKeyConstraint(['parent_id'], ['budget_nodes.id'], name=op.f('fk_budget_nodes_parent_id_budget_nodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_nodes')),
    sa.UniqueConstraint('code', name=op.f('uq_budget_nodes_code')),
    sa.UniqueConstraint('spm_component', name=op.f('uq_budget_nodes_spm_component'))
    )
    with op.batch_alter_table('budget_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_nodes_parent_id'), ['parent_id'], unique=False)

    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('pagu_awal', sa.BigInteger(), nullable=False),
    sa.Column('pagu_perubahan', sa.BigInteger(), nullable=True),
    sa.Column('plan_q1', sa.BigInteger(), nullable=False),
    sa.Column('plan_q2', sa.BigInteger(), nullable=False),
    sa.Column('plan_q3', sa.BigInteger(), nullable=False),
    sa.Column('plan_q4', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_budget_lines_year_range')),
    sa.CheckConstraint('pagu_awal >= 0', name=op.f('ck_budget_lines_pagu_awal_non_negative')),
    sa.CheckConstraint('pagu_perubahan IS NULL OR pagu_perubahan >= 0', name=op.f('ck_budget_lines_pagu_perubahan_non_negative')),
    sa.CheckConstraint('plan_q1 >= 0 AND plan_q2 >= 0 AND plan_q3 >= 0 AND plan_q4 >= 0', name=op.f('ck_budget_lines_plan_non_negative')),
    sa.ForeignKeyConstraint(['node_id'], ['budget_nodes.id'], name=op.f('fk_budget_lines_node_id_budget_nodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines')),
    sa.UniqueConstraint('node_id', 'fiscal_year', name='uq_budget_lines_node_year')
    )
    op.create_table('budget_total_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('printed', sa.BigInteger(), nullable=False),
    sa.Column('computed', sa.BigInteger(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("field IN ('pagu_awal', 'pagu_perubahan', 'plan_q1', 'plan_q2', 'plan_q3', 'plan_q4')", name=op.f('ck_budget_total_flags_field_known')),
    sa.ForeignKeyConstraint(['node_id'], ['budget_nodes.id'], name=op.f('fk_budget_total_flags_node_id_budget_nodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_total_flags')),
    sa.UniqueConstraint('node_id', 'fiscal_year', 'field', name='uq_budget_total_flags_node')
    )
    with op.batch_alter_table('budget_total_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_total_flags_fiscal_year'), ['fiscal_year'], unique=False)

    op.create_table('budget_realisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('document_number', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budget_realisations_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budget_realisations_created_by_id_users')),
    sa.ForeignKeyConstraint(['line_id'], ['budget_lines.id'], name=op.f('fk_budget_realisations_line_id_budget_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_realisations'))
    )
    with op.batch_alter_table('budget_realisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_realisations_line_id'), ['line_id'], unique=False)


def downgrade():
    with op.batch_alter_table('budget_realisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_realisations_line_id'))

    op.drop_table('budget_realisations')
    with op.batch_alter_table('budget_total_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_total_flags_fiscal_year'))

    op.drop_table('budget_total_flags')
    op.drop_table('budget_lines')
    with op.batch_alter_table('budget_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_nodes_parent_id'))

    op.drop_table('budget_nodes')
