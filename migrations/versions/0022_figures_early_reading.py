"""early readings: the number of contacts below which a school figure is an early reading

Revision ID: 0022

A school figure resting on fewer contacts than ``districts.early_reading_contacts`` (of a
channel, or with a section; 3 unless a leader changes it) is marked as an early reading on
every page, export, API answer and scorecard (``audits.scoring.precision``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('early_reading_contacts', sa.Integer(), server_default='3', nullable=False))


def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('early_reading_contacts')
