"""Item catalogue with kit contents, warehouses of every tier; Tagana links to warehouses.

Revision ID: e1fc4ac8e653
Revises: 02e42ca289fa
Create Date: 2026-11-22 07:18:28.096563

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1fc4ac8e653'
down_revision = '02e42ca289fa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('whole_units', sa.Boolean(), nullable=False),
    sa.Column('expires', sa.Boolean(), nullable=False),
    sa.Column('is_kit', sa.Boolean(), nullable=False),
    sa.Column('kcal_per_unit', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("category IN ('pangan', 'sandang', 'hunian', 'kebersihan', 'peralatan', 'lainnya')", name=op.f('ck_items_category_known')),
    sa.CheckConstraint('kcal_per_unit IS NULL OR kcal_per_unit >= 0', name=op.f('ck_items_kcal_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('code', name=op.f('uq_items_code')),
    sa.UniqueConstraint('name', name=op.f('uq_items_name'))
    )
    op.create_table('kit_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.CheckConstraint('kit_id <> component_id', name=op.f('ck_kit_components_not_itself')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_kit_components_quantity_positive')),
    sa.ForeignKeyConstraint(['component_id'], ['items.id'], name=op.f('fk_kit_components_component_id_items')),
    sa.ForeignKeyConstraint(['kit_id'], ['items.id'], name=op.f('fk_kit_components_kit_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kit_components')),
    sa.UniqueConstraint('kit_id', 'component_id', name='uq_kit_components_kit_component')
    )
    with op.batch_alter_table('kit_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kit_components_kit_id'), ['kit_id'], unique=False)

    op.create_table('warehouses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('pic_name', sa.String(length=160), nullable=False),
    sa.Column('pic_phone', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("tier IN ('kemensos_regional', 'provinsi', 'kab_kota', 'lumbung_sosial', 'posko')", name=op.f('ck_warehouses_tier_known')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90)', name=op.f('ck_warehouses_lat_range')),
    sa.CheckConstraint('lng IS NULL OR (lng BETWEEN -180 AND 180)', name=op.f('ck_warehouses_lng_range')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_warehouses_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_warehouses_shelter_id_shelters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warehouses_kelurahan_code'), ['kelurahan_code'], unique=False)

    with op.batch_alter_table('kampung_siaga_bencana', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouse_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_kampung_siaga_bencana_warehouse_id'), ['warehouse_id'])
        batch_op.create_foreign_key(batch_op.f('fk_kampung_siaga_bencana_warehouse_id_warehouses'), 'warehouses', ['warehouse_id'], ['id'])

    with op.batch_alter_table('tagana_deployments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warehouse_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tagana_deployments_warehouse_id'), ['warehouse_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tagana_deployments_warehouse_id_warehouses'), 'warehouses', ['warehouse_id'], ['id'])



def downgrade():
    with op.batch_alter_table('tagana_deployments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tagana_deployments_warehouse_id_warehouses'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tagana_deployments_warehouse_id'))
        batch_op.drop_column('warehouse_id')

    with op.batch_alter_table('kampung_siaga_bencana', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_kampung_siaga_bencana_warehouse_id_warehouses'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_kampung_siaga_bencana_warehouse_id'), type_='unique')
        batch_op.drop_column('warehouse_id')

    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warehouses_kelurahan_code'))

    op.drop_table('warehouses')
    with op.batch_alter_table('kit_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kit_components_kit_id'))

    op.drop_table('kit_components')
    op.drop_table('items')
