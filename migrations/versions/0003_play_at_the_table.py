"""play at the table: pools stored as what is missing, conditions, rolls, and who sees a log event

Revision ID: 0003_play_at_the_table
Revises: 0002_character_list_indexes
Create Date: 2026-12-07 20:30:00.000000

Existing characters start full (nothing missing) with no condition; existing log events stay public.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_play_at_the_table"
down_revision = "0002_character_list_indexes"
branch_labels = None
depends_on = None

MISSING = ("health_lost", "mana_spent", "stamina_spent")
OLD_KINDS = (
    "CREATED",
    "JOIN_REQUESTED",
    "JOINED",
    "REJECTED",
    "REMOVED",
    "LEFT",
    "XP_AWARD",
    "ITEM_GRANT",
    "NOTE",
    "RULES_CHANGED",
    "INVITE_ROTATED",
    "ARCHIVED",
)
NEW_KINDS = OLD_KINDS + ("ROLL", "DAMAGE", "HEAL", "SPEND", "RESTORE", "ITEM_USED", "CONDITION", "REST")
SEEN = ("public", "gm", "private")


def _kind(kinds):
    return sa.Enum(*kinds, name="eventkind", native_enum=False, create_constraint=True, length=20)


def _seen():
    return sa.Enum(*SEEN, name="seen", native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table("characters", schema=None) as batch_op:
        for column in MISSING:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
            batch_op.create_check_constraint(f"{column}_not_negative", f"{column} >= 0")
        batch_op.add_column(sa.Column("conditions", sa.JSON(), server_default="[]", nullable=False))

    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        # Alembic replaces the enum's CHECK constraint with the column's type.
        batch_op.alter_column("kind", existing_type=_kind(OLD_KINDS), type_=_kind(NEW_KINDS), existing_nullable=False)
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_by", _seen(), server_default="public", nullable=False))
        batch_op.create_index("ix_campaign_events_campaign_id_id", ["campaign_id", "id"], unique=False)

    op.create_table(
        "rolls",
        sa.Column("character_id", sa.Uuid(), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("roller_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("seen_by", _seen(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_rolls_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["character_id"], ["characters.id"], name=op.f("fk_rolls_character_id_characters"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["roller_id"], ["users.id"], name=op.f("fk_rolls_roller_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rolls")),
    )
    with op.batch_alter_table("rolls", schema=None) as batch_op:
        batch_op.create_index("ix_rolls_campaign_created", ["campaign_id", "created_at"], unique=False)
        batch_op.create_index("ix_rolls_character_created", ["character_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rolls_roller_id"), ["roller_id"], unique=False)


def downgrade():
    with op.batch_alter_table("rolls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rolls_roller_id"))
        batch_op.drop_index("ix_rolls_character_created")
        batch_op.drop_index("ix_rolls_campaign_created")
    op.drop_table("rolls")

    op.execute(sa.text(f"DELETE FROM campaign_events WHERE kind NOT IN ({', '.join(repr(k) for k in OLD_KINDS)})"))
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_events_campaign_id_id")
        batch_op.drop_constraint("seen", type_="check")
        batch_op.drop_column("seen_by")
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(NEW_KINDS), type_=_kind(OLD_KINDS), existing_nullable=False)

    with op.batch_alter_table("characters", schema=None) as batch_op:
        batch_op.drop_column("conditions")
        for column in reversed(MISSING):
            batch_op.drop_constraint(f"{column}_not_negative", type_="check")
            batch_op.drop_column(column)
