"""revisions of contacts and rounds; idempotent API requests

Revision ID: 0010
Revises: 0009

Contacts and rounds count their workflow steps in ``revision``. Every UPDATE of such a
row checks that the revision is still the one that was read, so two changes made at the
same moment cannot both land, and a step can insist on the revision its user saw.
An API request sent with an ``Idempotency-Key`` keeps its answer, to replay to a retry.
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
    op.create_table('idempotent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotent_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_requests')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotent_requests_user_id'))
    )
    with op.batch_alter_table('idempotent_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_requests_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('idempotent_requests')
    for table in ('contacts', 'rounds'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revision')
