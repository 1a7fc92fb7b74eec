"""a campaign's events numbered in the order they commit, for the live log to read what came after

Revision ID: 0004_event_sequence
Revises: 0003_play_at_the_table
Create Date: 2026-12-07 21:10:00.000000

Existing events are numbered per campaign by creation time. The number replaces the (campaign, id) index: ids are
made before a commit, so two writers may commit them out of order; numbers are given under the campaign's lock.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_event_sequence"
down_revision = "0003_play_at_the_table"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE campaign_events SET seq = (
            SELECT numbered.n FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY created_at, id) AS n
                FROM campaign_events
            ) AS numbered
            WHERE numbered.id = campaign_events.id
        )
        """
    )
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_campaign_events_campaign_id_id")
        batch_op.create_index("uq_campaign_events_campaign_seq", ["campaign_id", "seq"], unique=True)


def downgrade():
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.drop_index("uq_campaign_events_campaign_seq")
        batch_op.create_index("ix_campaign_events_campaign_id_id", ["campaign_id", "id"], unique=False)
        batch_op.drop_column("seq")
