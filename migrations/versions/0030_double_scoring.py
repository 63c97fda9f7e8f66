"""blind double-scoring: the share a round scores twice, the chosen contacts and second answers

Revision ID: 0030
Revises: 0029

``rounds.double_score_percent`` is the share of contacts with judgeable evidence (10 by default);
each ``double_scorings`` row is one chosen contact (the seeded draw, the share, the second auditor,
when submitted) and ``second_answers`` the second auditor's answers, kept apart from every figure.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('double_score_percent', sa.Integer(), server_default='10', nullable=False))
    op.create_table('double_scorings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('second_auditor_id', sa.Integer(), nullable=False),
    sa.Column('draw', sa.Float(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_double_scorings_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_double_scorings_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_auditor_id'], ['users.id'], name=op.f('fk_double_scorings_second_auditor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_double_scorings')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_double_scorings_contact_id')),
    )
    with op.batch_alter_table('double_scorings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_double_scorings_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_double_scorings_second_auditor_id'), ['second_auditor_id'], unique=False)
    op.create_table('second_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scoring_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('na', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['rubric_items.id'], name=op.f('fk_second_answers_item_id_rubric_items')),
    sa.ForeignKeyConstraint(['scoring_id'], ['double_scorings.id'], name=op.f('fk_second_answers_scoring_id_double_scorings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_second_answers')),
    sa.UniqueConstraint('scoring_id', 'item_id', name=op.f('uq_second_answers_scoring_id')),
    )
    with op.batch_alter_table('second_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_second_answers_scoring_id'), ['scoring_id'], unique=False)


def downgrade():
    with op.batch_alter_table('second_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_second_answers_scoring_id'))
    op.drop_table('second_answers')
    with op.batch_alter_table('double_scorings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_double_scorings_second_auditor_id'))
        batch_op.drop_index(batch_op.f('ix_double_scorings_round_id'))
    op.drop_table('double_scorings')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('double_score_percent')
