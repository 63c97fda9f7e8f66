"""appeals: a principal queries one answer of a published contact; another reviewer decides

Revision ID: 0027
Revises: 0026

``appeals`` holds each query (contact, rubric item key, reason, evidence, who filed it and when,
the reviewer whose approval it questions) and its decision (upheld or not, by whom, when, why,
the corrected answer). One appeal per answer. ``contact_edits.reason`` says why a value changed
(an upheld appeal's reason), and ``districts.appeal_window_days`` how many school days after
publication a principal may file one (10 unless the district changes it).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

OUTCOMES = ('pending', 'upheld', 'not_upheld')


def upgrade():
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('queried_answer', sa.Text(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum(*OUTCOMES, name='appealoutcome', native_enum=False, length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('corrected_value', sa.JSON(), nullable=True),
    sa.Column('corrected_na', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('corrected_answer', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_appeals_approver_id_users')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_appeals_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_appeals_filed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('contact_id', 'item_key', name=op.f('uq_appeals_contact_id'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_filed_by_id'), ['filed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_outcome'), ['outcome'], unique=False)
    with op.batch_alter_table('contact_edits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appeal_window_days', sa.Integer(), server_default='10', nullable=False))


def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('appeal_window_days')
    with op.batch_alter_table('contact_edits', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_outcome'))
        batch_op.drop_index(batch_op.f('ix_appeals_filed_by_id'))
        batch_op.drop_index(batch_op.f('ix_appeals_contact_id'))
    op.drop_table('appeals')
