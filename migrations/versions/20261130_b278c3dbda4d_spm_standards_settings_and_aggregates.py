"""SPM standards, "terpenuhi" rules, targets, and the daily, yearly and stale aggregate tables.

Revision ID: b278c3dbda4d
Revises: c0f98bf05960
Create Date: 2026-11-30 16:34:44.210897

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b278c3dbda4d'
down_revision = 'c0f98bf05960'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spm_met_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.CheckConstraint("component IN ('permakanan', 'sandang', 'tempat_penampungan', 'kelompok_rentan', 'psikososial')", name=op.f('ck_spm_met_rules_component_known')),
    sa.CheckConstraint("status IN ('meninggal', 'hilang', 'terluka', 'menderita', 'mengungsi')", name=op.f('ck_spm_met_rules_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_met_rules')),
    sa.UniqueConstraint('status', 'component', name='uq_spm_met_rules')
    )
    op.create_table('spm_stale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_stale'))
    )
    with op.batch_alter_table('spm_stale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spm_stale_event_id'), ['event_id'], unique=False)

    op.create_table('spm_standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('need', sa.String(length=120), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('days_from', sa.Integer(), nullable=False),
    sa.Column('days_to', sa.Integer(), nullable=True),
    sa.Column('item_code', sa.String(length=30), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("basis IN ('person', 'household')", name=op.f('ck_spm_standards_basis_known')),
    sa.CheckConstraint("period IN ('day', 'event')", name=op.f('ck_spm_standards_period_known')),
    sa.CheckConstraint('days_from >= 1', name=op.f('ck_spm_standards_days_from_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_spm_standards_quantity_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_standards')),
    sa.UniqueConstraint('code', 'valid_from', name='uq_spm_standards_version')
    )
    op.create_table('spm_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('lower_is_better', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("mode IN ('sum', 'level', 'year_end')", name=op.f('ck_spm_targets_mode_known')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_spm_targets_value_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_targets')),
    sa.UniqueConstraint('year', 'indicator', name='uq_spm_targets_year')
    )
    op.create_table('spm_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('persons_needing', sa.Integer(), nullable=False),
    sa.Column('persons_served', sa.Integer(), nullable=False),
    sa.Column('persons_met', sa.Integer(), nullable=False),
    sa.Column('persons_estimated', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_year')),
    sa.UniqueConstraint('year', 'quarter', 'component', name='uq_spm_year')
    )
    op.create_table('spm_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('shelter_key', sa.Integer(), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('persons_needing', sa.Integer(), nullable=False),
    sa.Column('households_needing', sa.Integer(), nullable=False),
    sa.Column('persons_delivered', sa.Integer(), nullable=False),
    sa.Column('portions_delivered', sa.Integer(), nullable=False),
    sa.Column('estimated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_spm_daily_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spm_daily')),
    sa.UniqueConstraint('event_id', 'day', 'kelurahan_code', 'shelter_key', 'component', name='uq_spm_daily')
    )
    with op.batch_alter_table('spm_daily', schema=None) as batch_op:
        batch_op.create_index('ix_spm_daily_day', ['day'], unique=False)



def downgrade():
    with op.batch_alter_table('spm_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_spm_daily_day')

    op.drop_table('spm_daily')
    op.drop_table('spm_year')
    op.drop_table('spm_targets')
    op.drop_table('spm_standards')
    with op.batch_alter_table('spm_stale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spm_stale_event_id'))

    op.drop_table('spm_stale')
    op.drop_table('spm_met_rules')
