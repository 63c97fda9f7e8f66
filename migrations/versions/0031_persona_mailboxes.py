"""persona mailboxes: email audits sent through Touchpoint and their replies timed

Revision ID: 0031
Revises: 0028

``persona_mailboxes`` holds a district's mailboxes (SMTP to send, IMAP to read, passwords
encrypted with Fernet); ``auditor_profiles.mailbox_id`` is the mailbox an auditor's persona
uses. A contact sent through one records its Message-ID, the token of its reply address, when
it was sent and by when a reply is due; the mailbox poll fills when the reply came and its
status. ``districts.reply_deadline_school_days`` is that deadline (2 school days unless set).
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0028'
branch_labels = None
depends_on = None

SECURITY = ('ssl', 'starttls', 'none')
POLL_STATUS = ('ok', 'failed')
REPLY_STATUS = ('awaiting', 'received', 'late', 'no_reply')


def upgrade():
    op.create_table('persona_mailboxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('smtp_host', sa.String(length=255), nullable=False),
    sa.Column('smtp_port', sa.Integer(), nullable=False),
    sa.Column('smtp_security', sa.Enum(*SECURITY, name='mailsecurity', native_enum=False, length=20), nullable=False),
    sa.Column('smtp_username', sa.String(length=254), nullable=False),
    sa.Column('smtp_password_encrypted', sa.Text(), nullable=False),
    sa.Column('imap_host', sa.String(length=255), nullable=False),
    sa.Column('imap_port', sa.Integer(), nullable=False),
    sa.Column('imap_security', sa.Enum(*SECURITY, name='mailsecurity', native_enum=False, length=20), nullable=False),
    sa.Column('imap_username', sa.String(length=254), nullable=False),
    sa.Column('imap_password_encrypted', sa.Text(), nullable=False),
    sa.Column('imap_folder', sa.String(length=200), server_default='INBOX', nullable=False),
    sa.Column('plus_addressing', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('imap_uid_validity', sa.BigInteger(), nullable=True),
    sa.Column('imap_last_uid', sa.BigInteger(), nullable=True),
    sa.Column('last_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_poll_status', sa.Enum(*POLL_STATUS, name='pollstatus', native_enum=False, length=20), nullable=True),
    sa.Column('last_poll_error', sa.Text(), server_default='', nullable=False),
    sa.Column('poll_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_persona_mailboxes_district_id_districts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persona_mailboxes')),
    sa.UniqueConstraint('district_id', 'address', name=op.f('uq_persona_mailboxes_district_id')),
    )
    with op.batch_alter_table('persona_mailboxes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persona_mailboxes_district_id'), ['district_id'], unique=False)

    with op.batch_alter_table('auditor_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_auditor_profiles_mailbox_id'), ['mailbox_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_auditor_profiles_mailbox_id_persona_mailboxes'), 'persona_mailboxes', ['mailbox_id'], ['id'],
            ondelete='SET NULL',
        )

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_deadline_school_days', sa.Integer(), server_default='2', nullable=False))

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_mailbox_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('reply_token', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_status', sa.Enum(*REPLY_STATUS, name='replystatus', native_enum=False, length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_contacts_sent_mailbox_id'), ['sent_mailbox_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_reply_status'), ['reply_status'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_contacts_sent_message_id'), ['sent_message_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_contacts_reply_token'), ['reply_token'])
        batch_op.create_foreign_key(
            batch_op.f('fk_contacts_sent_mailbox_id_persona_mailboxes'), 'persona_mailboxes', ['sent_mailbox_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contacts_sent_mailbox_id_persona_mailboxes'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_contacts_reply_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_contacts_sent_message_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_contacts_reply_status'))
        batch_op.drop_index(batch_op.f('ix_contacts_sent_mailbox_id'))
        for column in ('reply_status', 'reply_received_at', 'reply_due_at', 'sent_at', 'reply_token',
                       'sent_message_id', 'sent_mailbox_id'):
            batch_op.drop_column(column)

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('reply_deadline_school_days')

    with op.batch_alter_table('auditor_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_auditor_profiles_mailbox_id_persona_mailboxes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_auditor_profiles_mailbox_id'))
        batch_op.drop_column('mailbox_id')

    with op.batch_alter_table('persona_mailboxes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persona_mailboxes_district_id'))
    op.drop_table('persona_mailboxes')
