"""revisions of contacts and rounds

Revision ID: 0010
Revises: 0009

Contacts and rounds count their workflow steps in ``revision``. Every UPDATE of such a
row checks that the revision is still the one that was read, so two changes made at the
same moment cannot both land, and a step can insist on the revision its user saw.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('contacts', 'rounds'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in ('contacts', 'rounds'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revision')
