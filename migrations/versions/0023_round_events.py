"""round events: the history of each round's status, with the reason to reopen a closed round

Revision ID: 0023
Revises: 0022

Every move of a round's status is kept in ``round_events`` (who, when, from and to, why). Closing
a round lists the assignments nobody had started, as they were (auditor, due day, slot), so that an
administrator who reopens a round closed by mistake (a reason is required) puts them back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

STATUSES = ('draft', 'scheduled', 'in_field', 'closed', 'published')


def upgrade():
    op.create_table('round_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum(*STATUSES, name='roundstatus', native_enum=False, length=20), nullable=False),
    sa.Column('to_status', sa.Enum(*STATUSES, name='roundstatus', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_round_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_events_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_events'))
    )
    with op.batch_alter_table('round_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_events_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('round_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_events_round_id'))
    op.drop_table('round_events')
