"""Disaster events, victims and shelters.

Revision ID: 6de89e5c7e0a
Revises: d14f9b758b03
Create Date: 2026-11-22 06:06:35.351587

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6de89e5c7e0a'
down_revision = 'd14f9b758b03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hazard_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('hazard_class', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("hazard_class IN ('alam', 'non_alam', 'sosial')", name=op.f('ck_hazard_types_class_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_types')),
    sa.UniqueConstraint('code', name=op.f('uq_hazard_types_code')),
    sa.UniqueConstraint('name', name=op.f('uq_hazard_types_name'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('office_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hazard_type_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('area_geojson', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('reporter', sa.String(length=160), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_events_end_after_start')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90)', name=op.f('ck_events_lat_range')),
    sa.CheckConstraint('lng IS NULL OR (lng BETWEEN -180 AND 180)', name=op.f('ck_events_lng_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['hazard_type_id'], ['hazard_types.id'], name=op.f('fk_events_hazard_type_id_hazard_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('code', name=op.f('uq_events_code')),
    sa.UniqueConstraint('office_code', 'year', 'seq', name='uq_events_office_year_seq')
    )
    op.create_table('event_chronology',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_event_chronology_author_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_chronology_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_chronology'))
    )
    with op.batch_alter_table('event_chronology', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_chronology_event_id'), ['event_id'], unique=False)

    op.create_table('event_decrees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decree_number', sa.String(length=120), nullable=False),
    sa.Column('issuer_level', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("issuer_level IN ('bupati_walikota', 'gubernur', 'presiden')", name=op.f('ck_event_decrees_issuer_known')),
    sa.CheckConstraint("status IN ('siaga_darurat', 'tanggap_darurat', 'transisi_darurat')", name=op.f('ck_event_decrees_status_known')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_event_decrees_end_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_decrees_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_decrees'))
    )
    with op.batch_alter_table('event_decrees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_decrees_event_id'), ['event_id'], unique=False)

    op.create_table('event_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('how', sa.String(length=12), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_areas_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_event_areas_kelurahan_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_areas')),
    sa.UniqueConstraint('event_id', 'kelurahan_code', name='uq_event_areas_event_kel')
    )
    with op.batch_alter_table('event_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_areas_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_areas_kelurahan_code'), ['kelurahan_code'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('no_kk', sa.String(length=16), nullable=True),
    sa.Column('head_name', sa.String(length=160), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('rt', sa.String(length=4), nullable=False),
    sa.Column('rw', sa.String(length=4), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_households_kelurahan_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('no_kk', name=op.f('uq_households_no_kk'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_kelurahan_code'), ['kelurahan_code'], unique=False)

    op.create_table('impact_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_impact_figures_value_non_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_impact_figures_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_impact_figures_kelurahan_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_figures')),
    sa.UniqueConstraint('event_id', 'kelurahan_code', 'source', 'measure', name='uq_impact_cell')
    )
    with op.batch_alter_table('impact_figures', schema=None) as batch_op:
        batch_op.create_index('ix_impact_figures_event_source', ['event_id', 'source'], unique=False)

    op.create_table('shelters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('floor_area_m2', sa.Numeric(precision=10, scale=1), nullable=True),
    sa.Column('toilets', sa.Integer(), nullable=False),
    sa.Column('water_points', sa.Integer(), nullable=False),
    sa.Column('has_dapur_umum', sa.Boolean(), nullable=False),
    sa.Column('pic_name', sa.String(length=160), nullable=False),
    sa.Column('pic_phone', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('tenda', 'barak', 'gedung_sekolah', 'masjid', 'gereja', 'balai_warga', 'gor', 'kantor_pemerintah', 'rumah_warga', 'lainnya')", name=op.f('ck_shelters_kind_known')),
    sa.CheckConstraint("status IN ('buka', 'tutup')", name=op.f('ck_shelters_status_known')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_shelters_capacity_non_negative')),
    sa.CheckConstraint('floor_area_m2 IS NULL OR floor_area_m2 >= 0', name=op.f('ck_shelters_area_non_negative')),
    sa.CheckConstraint('toilets >= 0', name=op.f('ck_shelters_toilets_non_negative')),
    sa.CheckConstraint('water_points >= 0', name=op.f('ck_shelters_water_non_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_shelters_event_id_events')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_shelters_kelurahan_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelters'))
    )
    with op.batch_alter_table('shelters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelters_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shelters_kelurahan_code'), ['kelurahan_code'], unique=False)

    op.create_table('institution_victims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('contact', sa.String(length=160), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('yayasan', 'panti', 'pesantren', 'asrama', 'lainnya')", name=op.f('ck_institution_victims_kind_known')),
    sa.CheckConstraint("status IN ('meninggal', 'hilang', 'terluka', 'menderita', 'mengungsi')", name=op.f('ck_institution_victims_status_known')),
    sa.CheckConstraint('headcount >= 0', name=op.f('ck_institution_victims_headcount_non_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_institution_victims_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_institution_victims_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_institution_victims_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution_victims')),
    sa.UniqueConstraint('client_id', name=op.f('uq_institution_victims_client_id'))
    )
    with op.batch_alter_table('institution_victims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_institution_victims_event_id'), ['event_id'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('no_nik_reason', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('pregnant', sa.Boolean(), nullable=False),
    sa.Column('breastfeeding', sa.Boolean(), nullable=False),
    sa.Column('disability', sa.Boolean(), nullable=False),
    sa.Column('chronic_illness', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("sex IN ('L', 'P')", name=op.f('ck_persons_sex_known')),
    sa.CheckConstraint('nik IS NOT NULL OR no_nik_reason IS NOT NULL', name=op.f('ck_persons_nik_or_reason')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_persons_household_id_households')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['persons.id'], name=op.f('fk_persons_merged_into_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('nik', name=op.f('uq_persons_nik'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index('ix_persons_household_name', ['household_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_merged_into_id'), ['merged_into_id'], unique=False)

    op.create_table('shelter_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('counted_on', sa.Date(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('balita', sa.Integer(), nullable=False),
    sa.Column('anak', sa.Integer(), nullable=False),
    sa.Column('lansia', sa.Integer(), nullable=False),
    sa.Column('ibu_hamil', sa.Integer(), nullable=False),
    sa.Column('ibu_menyusui', sa.Integer(), nullable=False),
    sa.Column('disabilitas', sa.Integer(), nullable=False),
    sa.Column('laki_laki', sa.Integer(), nullable=False),
    sa.Column('perempuan', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('balita >= 0 AND anak >= 0 AND lansia >= 0 AND ibu_hamil >= 0 AND ibu_menyusui >= 0 AND disabilitas >= 0 AND laki_laki >= 0 AND perempuan >= 0', name=op.f('ck_shelter_counts_groups_non_negative')),
    sa.CheckConstraint('persons >= 0 AND households >= 0', name=op.f('ck_shelter_counts_counts_non_negative')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_shelter_counts_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_shelter_counts_shelter_id_shelters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_counts')),
    sa.UniqueConstraint('client_id', name=op.f('uq_shelter_counts_client_id')),
    sa.UniqueConstraint('shelter_id', 'counted_on', name='uq_shelter_counts_day')
    )
    op.create_table('victims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('meninggal', 'hilang', 'terluka', 'menderita', 'mengungsi')", name=op.f('ck_victims_status_known')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_victims_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_victims_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_victims_person_id_persons')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_victims_registered_by_id_users')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_victims_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victims')),
    sa.UniqueConstraint('client_id', name=op.f('uq_victims_client_id')),
    sa.UniqueConstraint('event_id', 'person_id', name='uq_victims_event_person')
    )
    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.create_index('ix_victims_event_kelurahan', ['event_id', 'kelurahan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_victims_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_victims_shelter_id'), ['shelter_id'], unique=False)



def downgrade():
    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_victims_shelter_id'))
        batch_op.drop_index(batch_op.f('ix_victims_person_id'))
        batch_op.drop_index('ix_victims_event_kelurahan')

    op.drop_table('victims')
    op.drop_table('shelter_counts')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_merged_into_id'))
        batch_op.drop_index('ix_persons_household_name')

    op.drop_table('persons')
    with op.batch_alter_table('institution_victims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_institution_victims_event_id'))

    op.drop_table('institution_victims')
    with op.batch_alter_table('shelters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelters_kelurahan_code'))
        batch_op.drop_index(batch_op.f('ix_shelters_event_id'))

    op.drop_table('shelters')
    with op.batch_alter_table('impact_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_impact_figures_event_source')

    op.drop_table('impact_figures')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_kelurahan_code'))

    op.drop_table('households')
    with op.batch_alter_table('event_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_areas_kelurahan_code'))
        batch_op.drop_index(batch_op.f('ix_event_areas_event_id'))

    op.drop_table('event_areas')
    with op.batch_alter_table('event_decrees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_decrees_event_id'))

    op.drop_table('event_decrees')
    with op.batch_alter_table('event_chronology', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_chronology_event_id'))

    op.drop_table('event_chronology')
    op.drop_table('events')
    op.drop_table('hazard_types')
