"""Administrative spine, users, audit log and background jobs.

Revision ID: d14f9b758b03
Revises: 
Create Date: 2026-11-22 05:48:18.969124

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd14f9b758b03'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=160), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'operator', 'tagana', 'pimpinan')", name=op.f('ck_users_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('boundary_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('version', sa.String(length=120), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('feature_count', sa.Integer(), nullable=False),
    sa.Column('approximate', sa.Boolean(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_boundary_sets_loaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boundary_sets'))
    )
    with op.batch_alter_table('boundary_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_boundary_sets_sha256'), ['sha256'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('func', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=255), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'started', 'finished', 'failed')", name=op.f('ck_jobs_status_known')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_jobs_progress_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.Column('boundary_set_id', sa.Integer(), nullable=True),
    sa.Column('approximate', sa.Boolean(), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=True),
    sa.Column('area_km2', sa.Double(), nullable=True),
    sa.Column('label_lat', sa.Double(), nullable=True),
    sa.Column('label_lng', sa.Double(), nullable=True),
    sa.Column('min_lng', sa.Double(), nullable=True),
    sa.Column('min_lat', sa.Double(), nullable=True),
    sa.Column('max_lng', sa.Double(), nullable=True),
    sa.Column('max_lat', sa.Double(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('provinsi', 'kab_kota', 'kecamatan', 'kelurahan')", name=op.f('ck_areas_level_known')),
    sa.CheckConstraint('area_km2 IS NULL OR area_km2 >= 0', name=op.f('ck_areas_area_non_negative')),
    sa.ForeignKeyConstraint(['boundary_set_id'], ['boundary_sets.id'], name=op.f('fk_areas_boundary_set_id_boundary_sets')),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], name=op.f('fk_areas_parent_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_areas_code'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index('ix_areas_level_parent', ['level', 'parent_code'], unique=False)



def downgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index('ix_areas_level_parent')

    op.drop_table('areas')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_jobs_created_at'))

    op.drop_table('jobs')
    with op.batch_alter_table('boundary_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_boundary_sets_sha256'))

    op.drop_table('boundary_sets')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('users')
