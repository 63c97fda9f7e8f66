"""background jobs with a heartbeat; the email outbox

Revision ID: 0011
Revises: 0010

A scorecard batch is a row in ``jobs``: its state, counts and the heartbeat its
worker stamps after every school, so a batch whose worker died shows as
interrupted and resumes without rebuilding what it built. Emails that follow a
change (a publication) are rows of ``outbox_emails``, written in the same
transaction and sent, with retries, by a job.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=50), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_outbox_emails_round_id_rounds'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_emails'))
    )
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_emails_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_emails_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_emails_sent_at'), ['sent_at'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('scorecards', name='jobkind', native_enum=False, length=20), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', 'interrupted', name='jobstate', native_enum=False, length=20), nullable=False),
    sa.Column('force', sa.Boolean(), nullable=False),
    sa.Column('task_id', sa.String(length=155), nullable=False),
    sa.Column('claimed_by', sa.String(length=255), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('built', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resume_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_jobs_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_round_id'), ['round_id'], unique=False)



def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_round_id'))

    op.drop_table('jobs')
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_emails_sent_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_emails_next_attempt_at'))

    op.drop_table('outbox_emails')
