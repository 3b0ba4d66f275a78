"""Tagana members, trainings, vehicles, deployments, task reports and Kampung Siaga Bencana.

Revision ID: 02e42ca289fa
Revises: 6de89e5c7e0a
Create Date: 2026-11-22 06:15:21.179903

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '02e42ca289fa'
down_revision = '6de89e5c7e0a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tagana_competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tagana_competencies')),
    sa.UniqueConstraint('code', name=op.f('uq_tagana_competencies_code'))
    )
    op.create_table('vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('assigned_unit', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('plate', name=op.f('uq_vehicles_plate'))
    )
    op.create_table('kampung_siaga_bencana',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('formed_year', sa.Integer(), nullable=False),
    sa.Column('facilitation_years', sa.JSON(), nullable=False),
    sa.Column('decree_number', sa.String(length=120), nullable=False),
    sa.Column('contact_name', sa.String(length=160), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('formed_year >= 2000', name=op.f('ck_kampung_siaga_bencana_formed_year_plausible')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_kampung_siaga_bencana_kelurahan_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampung_siaga_bencana'))
    )
    with op.batch_alter_table('kampung_siaga_bencana', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kampung_siaga_bencana_kelurahan_code'), ['kelurahan_code'], unique=False)

    op.create_table('tagana_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nia', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('home_kelurahan_code', sa.String(length=20), nullable=True),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('decree_number', sa.String(length=120), nullable=False),
    sa.Column('decree_date', sa.Date(), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('muda', 'madya', 'utama', 'task_force')", name=op.f('ck_tagana_members_level_known')),
    sa.CheckConstraint("sex IN ('L', 'P')", name=op.f('ck_tagana_members_sex_known')),
    sa.ForeignKeyConstraint(['home_kelurahan_code'], ['areas.code'], name=op.f('fk_tagana_members_home_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tagana_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tagana_members')),
    sa.UniqueConstraint('nia', name=op.f('uq_tagana_members_nia')),
    sa.UniqueConstraint('user_id', name=op.f('uq_tagana_members_user_id'))
    )
    with op.batch_alter_table('tagana_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tagana_members_home_kelurahan_code'), ['home_kelurahan_code'], unique=False)

    op.create_table('tagana_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('place_kind', sa.String(length=12), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=True),
    sa.Column('place_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=120), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=True),
    sa.Column('letter_number', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(), nullable=True),
    sa.Column('check_in_lat', sa.Double(), nullable=True),
    sa.Column('check_in_lng', sa.Double(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("place_kind IN ('shelter', 'dapur_umum', 'gudang', 'kelurahan', 'posko')", name=op.f('ck_tagana_deployments_place_known')),
    sa.CheckConstraint("status IN ('direncanakan', 'bertugas', 'selesai', 'dibatalkan')", name=op.f('ck_tagana_deployments_status_known')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_tagana_deployments_end_after_start')),
    sa.ForeignKeyConstraint(['competency_id'], ['tagana_competencies.id'], name=op.f('fk_tagana_deployments_competency_id_tagana_competencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tagana_deployments_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tagana_deployments_event_id_events')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_tagana_deployments_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['member_id'], ['tagana_members.id'], name=op.f('fk_tagana_deployments_member_id_tagana_members')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_tagana_deployments_shelter_id_shelters')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_tagana_deployments_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tagana_deployments')),
    sa.UniqueConstraint('client_id', name=op.f('uq_tagana_deployments_client_id'))
    )
    with op.batch_alter_table('tagana_deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tagana_deployments_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_tagana_deployments_member_period', ['member_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tagana_deployments_shelter_id'), ['shelter_id'], unique=False)

    op.create_table('tagana_member_competencies',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['tagana_competencies.id'], name=op.f('fk_tagana_member_competencies_competency_id_tagana_competencies')),
    sa.ForeignKeyConstraint(['member_id'], ['tagana_members.id'], name=op.f('fk_tagana_member_competencies_member_id_tagana_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'competency_id', name=op.f('pk_tagana_member_competencies'))
    )
    op.create_table('tagana_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organizer', sa.String(length=160), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('certificate_number', sa.String(length=120), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_tagana_trainings_end_after_start')),
    sa.ForeignKeyConstraint(['member_id'], ['tagana_members.id'], name=op.f('fk_tagana_trainings_member_id_tagana_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tagana_trainings'))
    )
    with op.batch_alter_table('tagana_trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tagana_trainings_member_id'), ['member_id'], unique=False)

    op.create_table('tagana_task_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('activities', sa.Text(), nullable=False),
    sa.Column('people_served', sa.Integer(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('people_served >= 0', name=op.f('ck_tagana_task_reports_served_non_negative')),
    sa.ForeignKeyConstraint(['deployment_id'], ['tagana_deployments.id'], name=op.f('fk_tagana_task_reports_deployment_id_tagana_deployments')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_tagana_task_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tagana_task_reports')),
    sa.UniqueConstraint('deployment_id', name='uq_tagana_task_reports_deployment')
    )


def downgrade():
    op.drop_table('tagana_task_reports')
    with op.batch_alter_table('tagana_trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tagana_trainings_member_id'))

    op.drop_table('tagana_trainings')
    op.drop_table('tagana_member_competencies')
    with op.batch_alter_table('tagana_deployments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tagana_deployments_shelter_id'))
        batch_op.drop_index('ix_tagana_deployments_member_period')
        batch_op.drop_index(batch_op.f('ix_tagana_deployments_event_id'))

    op.drop_table('tagana_deployments')
    with op.batch_alter_table('tagana_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tagana_members_home_kelurahan_code'))

    op.drop_table('tagana_members')
    with op.batch_alter_table('kampung_siaga_bencana', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kampung_siaga_bencana_kelurahan_code'))

    op.drop_table('kampung_siaga_bencana')
    op.drop_table('vehicles')
    op.drop_table('tagana_competencies')
