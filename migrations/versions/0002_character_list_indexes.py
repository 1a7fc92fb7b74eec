"""indexes for keyset pagination of the character list

Revision ID: 0002_character_list_indexes
Revises: 0001_initial
Create Date: 2026-11-25 05:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_character_list_indexes'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_characters_created_at_id': ['created_at', 'id'],
    'ix_characters_level_id': ['level', 'id'],
    'ix_characters_name_id': ['name', 'id'],
}


def upgrade():
    with op.batch_alter_table('characters', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('characters', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
