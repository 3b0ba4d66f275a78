"""Office profile and the signatories of its documents.

Revision ID: 5e1f0c2a9d47
Revises: 5d1e7a3c9b42
Create Date: 2026-12-07 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c2a9d47'
down_revision = '5d1e7a3c9b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('office_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('area_name', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('logo_filename', sa.String(length=120), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('kota', 'kabupaten', 'provinsi')", name=op.f('ck_office_profile_level_known')),
    sa.CheckConstraint("timezone IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')", name=op.f('ck_office_profile_timezone_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_profile'))
    )
    op.create_table('office_signatories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position_order', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.CheckConstraint("role IN ('kepala_dinas', 'kabid_linjamsos', 'kasi', 'pengelola_gudang')", name=op.f('ck_office_signatories_role_known')),
    sa.ForeignKeyConstraint(['profile_id'], ['office_profile.id'], name=op.f('fk_office_signatories_profile_id_office_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_signatories')),
    sa.UniqueConstraint('profile_id', 'role', name='uq_office_signatories_role')
    )


def downgrade():
    op.drop_table('office_signatories')
    op.drop_table('office_profile')
