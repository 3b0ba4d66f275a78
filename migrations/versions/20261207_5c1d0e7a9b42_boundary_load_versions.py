"""Boundary load versions: snapshots of changed areas, rollback marks, retired areas.

Revision ID: 5c1d0e7a9b42
Revises: 5e1f0c2a9d47
Create Date: 2026-12-07 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d0e7a9b42'
down_revision = '5e1f0c2a9d47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('boundary_set_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['boundary_set_id'], ['boundary_sets.id'], name=op.f('fk_area_snapshots_boundary_set_id_boundary_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_snapshots'))
    )
    with op.batch_alter_table('area_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_area_snapshots_set', ['boundary_set_id', 'area_id'], unique=True)

    with op.batch_alter_table('boundary_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loaded_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))
        # Loads from before this revision kept no snapshots: they cannot be rolled back.
        batch_op.add_column(sa.Column('reversible', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('rolled_back_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('rolled_back_by', sa.String(length=120), nullable=True))

    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('boundary_sets', schema=None) as batch_op:
        batch_op.drop_column('rolled_back_by')
        batch_op.drop_column('rolled_back_at')
        batch_op.drop_column('reversible')
        batch_op.drop_column('report')
        batch_op.drop_column('loaded_by')

    with op.batch_alter_table('area_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_area_snapshots_set')

    op.drop_table('area_snapshots')
