"""rubric items may name the contact fact they are scored from

Revision ID: 0021

An item with a ``fact`` (rings, hold_seconds, reached …) takes its answer from what the
auditor recorded once in the contact's own fields; the contact form no longer asks it
twice. Items without one (every item before this revision) are answered as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rubric_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fact', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('rubric_items', schema=None) as batch_op:
        batch_op.drop_column('fact')
