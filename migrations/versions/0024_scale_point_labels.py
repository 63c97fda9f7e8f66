"""scale items may label their points

Revision ID: 0024

A scale item's points can each say what they mean ("0 = rude or hostile", "5 = warm and
helpful"): the contact form shows the words beside each point. Stored as a list by point
("" where a point has no label); items without labels (every item before this revision) keep
NULL and show their numbers alone.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rubric_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scale_labels", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("rubric_items", schema=None) as batch_op:
        batch_op.drop_column("scale_labels")
