"""legal holds on rounds; a record of every retention purge

Revision ID: 0012

A leader or administrator may place a legal hold on a round (with a reason, kept with who
and when on the round, and every placing and lifting in ``legal_hold_events``): the
retention purge never touches a held round's evidence or texts. ``texts_purged_at`` says
when the purge blanked a round's free texts; ``retention_purges`` counts what each purge
removed, per kind.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('texts_purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_rounds_legal_hold_by_id_users'), 'users', ['legal_hold_by_id'], ['id']
        )
    op.create_table('legal_hold_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('placed', 'lifted', name='holdaction', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_legal_hold_events_actor_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_legal_hold_events_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_hold_events'))
    )
    with op.batch_alter_table('legal_hold_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_hold_events_round_id'), ['round_id'], unique=False)
    op.create_table('retention_purges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('held_round_ids', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_purges'))
    )
    with op.batch_alter_table('retention_purges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_purges_ran_at'), ['ran_at'], unique=False)


def downgrade():
    op.drop_table('retention_purges')
    op.drop_table('legal_hold_events')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rounds_legal_hold_by_id_users'), type_='foreignkey')
        batch_op.drop_column('texts_purged_at')
        batch_op.drop_column('legal_hold_by_id')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('legal_hold_reason')
