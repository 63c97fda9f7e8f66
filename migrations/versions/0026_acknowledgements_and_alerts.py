"""acknowledgements and alerts: principals acknowledge scorecards; leaders choose their email digests

Revision ID: 0026
Revises: 0023

A principal records that they read a published scorecard and discussed it with their staff on a day
(``scorecard_acknowledgements``, one per scorecard and principal). Each leader chooses which digests
they receive (``alert_preferences``; no row: both), and every digest written is kept
(``alert_deliveries``, one per leader, kind and day or week), so each goes out once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('critical_failures', sa.Boolean(), nullable=False),
    sa.Column('weekly_fieldwork', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_alert_preferences'))
    )
    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('critical_failures', 'weekly_fieldwork', name='alertkind', native_enum=False, length=20), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('contact_ids', sa.JSON(), nullable=False),
    sa.Column('email_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['email_id'], ['outbox_emails.id'], name=op.f('fk_alert_deliveries_email_id_outbox_emails'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
    sa.UniqueConstraint('user_id', 'kind', 'period', name=op.f('uq_alert_deliveries_user_id'))
    )
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_deliveries_user_id'), ['user_id'], unique=False)

    op.create_table('scorecard_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('discussed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_acknowledgements_scorecard_id_scorecards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scorecard_acknowledgements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_acknowledgements')),
    sa.UniqueConstraint('scorecard_id', 'user_id', name=op.f('uq_scorecard_acknowledgements_scorecard_id'))
    )
    with op.batch_alter_table('scorecard_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_acknowledgements_scorecard_id'), ['scorecard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scorecard_acknowledgements_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scorecard_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_acknowledgements_user_id'))
        batch_op.drop_index(batch_op.f('ix_scorecard_acknowledgements_scorecard_id'))

    op.drop_table('scorecard_acknowledgements')
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_deliveries_user_id'))

    op.drop_table('alert_deliveries')
    op.drop_table('alert_preferences')
