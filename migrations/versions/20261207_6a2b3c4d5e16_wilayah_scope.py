"""Wilayah scope: users' see and record areas, an event's area, the audit log's scope, and
break-the-glass access grants.

Revision ID: 6a2b3c4d5e16
Revises: 5f1c2a9d7e31
Create Date: 2026-12-07 14:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a2b3c4d5e16'
down_revision = '5f1c2a9d7e31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('see_areas', sa.String(length=400), server_default='', nullable=False))
        batch_op.add_column(sa.Column('record_areas', sa.String(length=400), server_default='', nullable=False))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_code', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_area_code'), ['area_code'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=400), nullable=True))
    op.create_table(
        'access_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_access_grants_household_id_households')),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_access_grants_person_id_persons')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_grants_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants')),
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index('ix_access_grants_user', ['user_id', 'expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_user')
    op.drop_table('access_grants')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_area_code'))
        batch_op.drop_column('area_code')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('record_areas')
        batch_op.drop_column('see_areas')
