"""edit log names values by their place in an entry

Revision ID: 0009
Revises: 0008

The edit log named each changed value by the contact form's input: ``rings``,
``item-courtesy``, ``comment-courtesy``. The domain now takes a typed entry and names
values by their place in it: ``timings.rings``, ``responses.courtesy``,
``responses.courtesy.comment`` (``outcome``, ``started_at`` and
``response_business_hours`` keep their names). Existing rows are renamed the same way.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Every timing a contact records (audits.fieldwork.entry.Timings, written out so the migration stands alone).
TIMINGS = (
    'rings', 'hold_seconds', 'transfers', 'call_seconds', 'staff_gave_name', 'callback_at',
    'sent_text', 'reply_at', 'reply_text', 'greeted_seconds', 'wait_seconds',
)
edits = sa.table('contact_edits', sa.column('field', sa.String))
field = edits.c.field


def upgrade():
    op.execute(edits.update().where(field.in_(TIMINGS)).values(field=sa.literal('timings.') + field))
    op.execute(
        edits.update()
        .where(field.like('comment-%'))
        .values(field=sa.literal('responses.') + sa.func.substr(field, 9) + sa.literal('.comment'))
    )
    op.execute(
        edits.update().where(field.like('item-%')).values(field=sa.literal('responses.') + sa.func.substr(field, 6))
    )


def downgrade():
    op.execute(
        edits.update()
        .where(field.like('responses.%.comment'))
        .values(field=sa.literal('comment-') + sa.func.substr(field, 11, sa.func.length(field) - 18))
    )
    op.execute(
        edits.update().where(field.like('responses.%')).values(field=sa.literal('item-') + sa.func.substr(field, 11))
    )
    op.execute(edits.update().where(field.like('timings.%')).values(field=sa.func.substr(field, 9)))
