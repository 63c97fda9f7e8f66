"""sign-in policy per district: password sign-in on or off, single sign-on domains, two-step for leaders

Revision ID: 0015

A district decides how its people sign in: with a password (on unless it says otherwise),
with its Google or Microsoft accounts for the email domains it lists, and whether its
administrators and leaders must use a second step (a code from an app).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_sign_in', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('sign_in_domains', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('two_step_required', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('two_step_required')
        batch_op.drop_column('sign_in_domains')
        batch_op.drop_column('password_sign_in')
