"""follow-up rounds: a round that checks again the schools whose plans answer a published round

Revision ID: 0028
Revises: 0027

``rounds.follows_round_id`` names the published round a follow-up round checks; each row of
``follow_up_targets`` is one channel and scenario that failed at one school in it (with the plan
it follows up), to be contacted again on or after ``not_before``: the day after the plan's last
action is due.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

CHANNELS = ('phone', 'email', 'visit')


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follows_round_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_rounds_follows_round_id_rounds'), 'rounds', ['follows_round_id'], ['id'],
            ondelete='SET NULL',
        )
    op.create_table('follow_up_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum(*CHANNELS, name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_follow_up_targets_plan_id_action_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_follow_up_targets_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_follow_up_targets_scenario_id_scenarios')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_follow_up_targets_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_targets')),
    sa.UniqueConstraint('round_id', 'school_id', 'channel', 'scenario_id', name=op.f('uq_follow_up_targets_round_id')),
    )
    with op.batch_alter_table('follow_up_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_targets_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_targets_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('follow_up_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_targets_round_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_targets_plan_id'))
    op.drop_table('follow_up_targets')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rounds_follows_round_id_rounds'), type_='foreignkey')
        batch_op.drop_column('follows_round_id')
