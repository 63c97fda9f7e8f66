"""the district account a person signed in with: its issuer and subject

Revision ID: 0016

When someone signs in with their district account, the provider's issuer and the account's
stable identifier (the ID token's ``sub``) are kept; a later sign-in with the same email but
another subject (a deleted account whose address was given to someone else) is refused.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_account_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('district_account_subject', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('district_account_subject')
        batch_op.drop_column('district_account_issuer')
