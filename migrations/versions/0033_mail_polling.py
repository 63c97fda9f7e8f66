"""mail polling: replies read from persona mailboxes, call-backs and texts, failing school addresses

Revision ID: 0033
Revises: 0032

``received_messages`` keeps each message read from a persona mailbox once (the hashes of its
Message-ID and content), what it was and which contact it went to; ``inbound_touches`` each call
or text a school made to a persona number (one per Twilio SID). ``contacts.sent_subject`` is the
subject sent;
``schools.email_failing_since`` / ``email_failure`` say the school's address bounced.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_touches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('call', 'text', name='touchkind', native_enum=False, length=20), nullable=False),
    sa.Column('from_number', sa.String(length=20), nullable=False),
    sa.Column('to_number', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_inbound_touches_contact_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_touches')),
    sa.UniqueConstraint('sid', name=op.f('uq_inbound_touches_sid'))
    )
    with op.batch_alter_table('inbound_touches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_touches_contact_id'), ['contact_id'], unique=False)

    op.create_table('received_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=False),
    sa.Column('uid_validity', sa.BigInteger(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('message_id_hash', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.Enum('counted', 'further', 'suggested', 'declined', 'auto_reply', 'bounce', 'unmatched', 'refused', name='messagestate', native_enum=False, length=20), nullable=False),
    sa.Column('rule', sa.String(length=30), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_received_messages_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_received_messages_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mailbox_id'], ['persona_mailboxes.id'], name=op.f('fk_received_messages_mailbox_id_persona_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_messages')),
    sa.UniqueConstraint('mailbox_id', 'message_id_hash', 'content_hash', name=op.f('uq_received_messages_mailbox_id'))
    )
    with op.batch_alter_table('received_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_messages_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_messages_mailbox_id'), ['mailbox_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_messages_message_id_hash'), ['message_id_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_messages_state'), ['state'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_subject', sa.String(length=500), server_default='', nullable=False))

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_failing_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_failure', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('email_failure')
        batch_op.drop_column('email_failing_since')

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('sent_subject')

    with op.batch_alter_table('received_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_messages_state'))
        batch_op.drop_index(batch_op.f('ix_received_messages_message_id_hash'))
        batch_op.drop_index(batch_op.f('ix_received_messages_mailbox_id'))
        batch_op.drop_index(batch_op.f('ix_received_messages_contact_id'))

    op.drop_table('received_messages')
    with op.batch_alter_table('inbound_touches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_touches_contact_id'))

    op.drop_table('inbound_touches')
