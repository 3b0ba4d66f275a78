"""Stock ledger (lots, movements, documents, opname, BAST counters), distributions, field kitchens.

Revision ID: c0f98bf05960
Revises: e1fc4ac8e653
Create Date: 2026-11-30 16:18:27.542174

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0f98bf05960'
down_revision = 'e1fc4ac8e653'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_counters',
    sa.Column('office_code', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('office_code', 'year', name=op.f('pk_document_counters'))
    )
    op.create_table('field_kitchens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('warehouse_id', sa.Integer(), nullable=True),
    sa.Column('capacity_portions', sa.Integer(), nullable=False),
    sa.Column('pic_name', sa.String(length=160), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity_portions > 0', name=op.f('ck_field_kitchens_capacity_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_field_kitchens_event_id_events')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_field_kitchens_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_field_kitchens_shelter_id_shelters')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_field_kitchens_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_kitchens'))
    )
    with op.batch_alter_table('field_kitchens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_kitchens_event_id'), ['event_id'], unique=False)

    op.create_table('stock_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('doc_date', sa.Date(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=True),
    sa.Column('to_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=True),
    sa.Column('source_document', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.Column('giver_name', sa.String(length=160), nullable=False),
    sa.Column('receiver_name', sa.String(length=160), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'dispatch', 'transfer', 'adjustment', 'opname', 'distribution', 'kitchen')", name=op.f('ck_stock_documents_kind_known')),
    sa.CheckConstraint("reason IS NULL OR reason IN ('rusak', 'kedaluwarsa', 'hilang', 'selisih_opname')", name=op.f('ck_stock_documents_reason_known')),
    sa.CheckConstraint("source IS NULL OR source IN ('apbd', 'apbn', 'provinsi', 'csr', 'donor')", name=op.f('ck_stock_documents_source_known')),
    sa.CheckConstraint("status IN ('done', 'in_transit', 'received')", name=op.f('ck_stock_documents_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stock_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_stock_documents_event_id_events')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_stock_documents_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_stock_documents_received_by_id_users')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_stock_documents_shelter_id_shelters')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_documents_to_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_documents_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_documents')),
    sa.UniqueConstraint('client_id', name=op.f('uq_stock_documents_client_id')),
    sa.UniqueConstraint('number', name=op.f('uq_stock_documents_number'))
    )
    with op.batch_alter_table('stock_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_documents_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_documents_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('stock_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_code', sa.String(length=40), nullable=False),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_stock_lots_quantity_non_negative')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_lots_item_id_items')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_lots_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_lots')),
    sa.UniqueConstraint('warehouse_id', 'item_id', 'lot_code', 'expiry_date', name='uq_stock_lots')
    )
    with op.batch_alter_table('stock_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_lots_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_stock_lots_warehouse_item', ['warehouse_id', 'item_id'], unique=False)

    op.create_table('kitchen_meals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kitchen_id', sa.Integer(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('head_count', sa.Integer(), nullable=False),
    sa.Column('portions_cooked', sa.Integer(), nullable=False),
    sa.Column('portions_served', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("period IN ('pagi', 'siang', 'malam')", name=op.f('ck_kitchen_meals_period_known')),
    sa.CheckConstraint('head_count >= 0', name=op.f('ck_kitchen_meals_head_count_non_negative')),
    sa.CheckConstraint('portions_served <= portions_cooked', name=op.f('ck_kitchen_meals_served_not_above_cooked')),
    sa.CheckConstraint('portions_served >= 0', name=op.f('ck_kitchen_meals_served_non_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kitchen_meals_created_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['stock_documents.id'], name=op.f('fk_kitchen_meals_document_id_stock_documents')),
    sa.ForeignKeyConstraint(['kitchen_id'], ['field_kitchens.id'], name=op.f('fk_kitchen_meals_kitchen_id_field_kitchens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitchen_meals')),
    sa.UniqueConstraint('client_id', name=op.f('uq_kitchen_meals_client_id')),
    sa.UniqueConstraint('kitchen_id', 'served_on', 'period', name='uq_kitchen_meals_period')
    )
    op.create_table('stock_count_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('system_quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('counted_quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.CheckConstraint('counted_quantity >= 0', name=op.f('ck_stock_count_lines_counted_non_negative')),
    sa.ForeignKeyConstraint(['document_id'], ['stock_documents.id'], name=op.f('fk_stock_count_lines_document_id_stock_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lots.id'], name=op.f('fk_stock_count_lines_lot_id_stock_lots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_count_lines')),
    sa.UniqueConstraint('document_id', 'lot_id', name='uq_stock_count_lines_document_lot')
    )
    op.create_table('distributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('recipient_kind', sa.String(length=12), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('kitchen_meal_id', sa.Integer(), nullable=True),
    sa.Column('kelurahan_code', sa.String(length=20), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=True),
    sa.Column('warehouse_id', sa.Integer(), nullable=True),
    sa.Column('distributed_on', sa.Date(), nullable=False),
    sa.Column('persons_served', sa.Integer(), nullable=False),
    sa.Column('anonymous_portions', sa.Integer(), nullable=False),
    sa.Column('service_note', sa.String(length=255), nullable=False),
    sa.Column('override_reason', sa.String(length=255), nullable=True),
    sa.Column('batch_document_id', sa.Integer(), nullable=True),
    sa.Column('receiver_name', sa.String(length=160), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("component IN ('permakanan', 'sandang', 'tempat_penampungan', 'kelompok_rentan', 'psikososial')", name=op.f('ck_distributions_component_known')),
    sa.CheckConstraint("phase IN ('saat', 'setelah')", name=op.f('ck_distributions_phase_known')),
    sa.CheckConstraint("recipient_kind IN ('household', 'person', 'institution', 'kitchen')", name=op.f('ck_distributions_recipient_known')),
    sa.CheckConstraint('anonymous_portions >= 0', name=op.f('ck_distributions_portions_non_negative')),
    sa.CheckConstraint('persons_served >= 0', name=op.f('ck_distributions_persons_non_negative')),
    sa.ForeignKeyConstraint(['batch_document_id'], ['stock_documents.id'], name=op.f('fk_distributions_batch_document_id_stock_documents')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_distributions_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_distributions_event_id_events')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_distributions_household_id_households')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution_victims.id'], name=op.f('fk_distributions_institution_id_institution_victims')),
    sa.ForeignKeyConstraint(['kelurahan_code'], ['areas.code'], name=op.f('fk_distributions_kelurahan_code_areas')),
    sa.ForeignKeyConstraint(['kitchen_meal_id'], ['kitchen_meals.id'], name=op.f('fk_distributions_kitchen_meal_id_kitchen_meals')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_distributions_person_id_persons')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_distributions_shelter_id_shelters')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_distributions_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distributions')),
    sa.UniqueConstraint('client_id', name=op.f('uq_distributions_client_id'))
    )
    with op.batch_alter_table('distributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distributions_batch_document_id'), ['batch_document_id'], unique=False)
        batch_op.create_index('ix_distributions_guard', ['event_id', 'component', 'household_id', 'person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_distributions_kelurahan_code'), ['kelurahan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_distributions_shelter_id'), ['shelter_id'], unique=False)

    op.create_table('distribution_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('distribution_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['distribution_id'], ['distributions.id'], name=op.f('fk_distribution_recipients_distribution_id_distributions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_distribution_recipients_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_recipients')),
    sa.UniqueConstraint('distribution_id', 'person_id', name='uq_distribution_recipients')
    )
    with op.batch_alter_table('distribution_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_recipients_person_id'), ['person_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('distribution_id', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.String(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'transfer_out', 'transfer_in', 'dispatch', 'distribution', 'kitchen', 'adjustment')", name=op.f('ck_stock_movements_kind_known')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_movements_quantity_not_zero')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stock_movements_created_by_id_users')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distributions.id'], name=op.f('fk_stock_movements_distribution_id_distributions')),
    sa.ForeignKeyConstraint(['document_id'], ['stock_documents.id'], name=op.f('fk_stock_movements_document_id_stock_documents')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_movements_item_id_items')),
    sa.ForeignKeyConstraint(['lot_id'], ['stock_lots.id'], name=op.f('fk_stock_movements_lot_id_stock_lots')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_movements_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movements_card', ['warehouse_id', 'item_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_distribution_id'), ['distribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_lot_id'), ['lot_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_lot_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_document_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_distribution_id'))
        batch_op.drop_index('ix_stock_movements_card')

    op.drop_table('stock_movements')
    with op.batch_alter_table('distribution_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_recipients_person_id'))

    op.drop_table('distribution_recipients')
    with op.batch_alter_table('distributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distributions_shelter_id'))
        batch_op.drop_index(batch_op.f('ix_distributions_kelurahan_code'))
        batch_op.drop_index('ix_distributions_guard')
        batch_op.drop_index(batch_op.f('ix_distributions_batch_document_id'))

    op.drop_table('distributions')
    op.drop_table('stock_count_lines')
    op.drop_table('kitchen_meals')
    with op.batch_alter_table('stock_lots', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_lots_warehouse_item')
        batch_op.drop_index(batch_op.f('ix_stock_lots_item_id'))

    op.drop_table('stock_lots')
    with op.batch_alter_table('stock_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_documents_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_documents_event_id'))

    op.drop_table('stock_documents')
    with op.batch_alter_table('field_kitchens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_kitchens_event_id'))

    op.drop_table('field_kitchens')
    op.drop_table('document_counters')
