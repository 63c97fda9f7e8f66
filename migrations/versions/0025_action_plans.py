"""action plans: what a school will change after a scorecard, decided by a leader, closed with evidence

Revision ID: 0025
Revises: 0023

Publishing a round's scorecards opens a plan (``action_plans``) for each school with a critical
failure or an overall below the district's alert threshold; a leader or the principal may open one
for any school. Its actions (``plan_actions``) are closed with a text and/or files
(``plan_evidence``, under ``EVIDENCE_DIR/plans``); every change is a ``plan_events`` row; each
overdue reminder is kept in ``plan_reminders`` (at most one a school day). A district may require
evidence before an action is closed (``districts.plan_evidence_required``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'sent_back', 'approved', 'closed', name='planstatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Enum('critical_failure', 'below_threshold', 'requested', name='planreason', native_enum=False, length=20), nullable=False),
    sa.Column('overall', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('critical_failures', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_action_plans_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_action_plans_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_action_plans_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plans'))
    )
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plans_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_plans_school_id'), ['school_id'], unique=False)

    op.create_table('plan_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('target_label', sa.String(length=300), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('resource_item_id', sa.Integer(), nullable=True),
    sa.Column('resource', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_plan_actions_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_plan_actions_plan_id_action_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_item_id'], ['rubric_items.id'], name=op.f('fk_plan_actions_resource_item_id_rubric_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_actions'))
    )
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_actions_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('opened', 'action_added', 'action_changed', 'action_removed', 'submitted', 'sent_back', 'approved', 'action_closed', 'closed', name='planeventkind', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_events_action_id_plan_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_plan_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_plan_events_plan_id_action_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_events'))
    )
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_events_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('image', 'email', 'text', 'audio', name='evidencekind', native_enum=False, length=20), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_evidence_action_id_plan_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_plan_evidence_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_evidence')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_plan_evidence_storage_name')),
    sa.UniqueConstraint('token', name=op.f('uq_plan_evidence_token'))
    )
    with op.batch_alter_table('plan_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_evidence_action_id'), ['action_id'], unique=False)

    op.create_table('plan_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_reminders_action_id_plan_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_reminders')),
    sa.UniqueConstraint('action_id', 'sent_on', name=op.f('uq_plan_reminders_action_id'))
    )
    with op.batch_alter_table('plan_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_reminders_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_evidence_required', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('plan_evidence_required')

    with op.batch_alter_table('plan_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_reminders_action_id'))

    op.drop_table('plan_reminders')
    with op.batch_alter_table('plan_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_evidence_action_id'))

    op.drop_table('plan_evidence')
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_events_plan_id'))

    op.drop_table('plan_events')
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_actions_plan_id'))

    op.drop_table('plan_actions')
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_plans_school_id'))
        batch_op.drop_index(batch_op.f('ix_action_plans_round_id'))

    op.drop_table('action_plans')
