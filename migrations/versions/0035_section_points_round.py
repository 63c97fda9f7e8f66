"""section points carry their round and school: many rounds' section points read by index

Revision ID: 0035
Revises: 0034

``contact_section_points.round_id`` and ``school_id`` carry the round and school of the contact's
assignment (backfilled here, written with every tally by ``audits.scoring.tally``), so the
state-wide comparison reads a hundred rounds' section points by ``ix_contact_section_points_round_id``
instead of probing the rows of each of their 60,000 counted contacts.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_section_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('school_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE contact_section_points SET "
        "round_id = (SELECT contacts.round_id FROM contacts "
        "WHERE contacts.id = contact_section_points.contact_id), "
        "school_id = (SELECT assignments.school_id FROM contacts "
        "JOIN assignments ON assignments.id = contacts.assignment_id "
        "WHERE contacts.id = contact_section_points.contact_id)"
    )
    with op.batch_alter_table('contact_section_points', schema=None) as batch_op:
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_contact_section_points_round_id_rounds'), 'rounds', ['round_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_contact_section_points_school_id_schools'), 'schools', ['school_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_index(batch_op.f('ix_contact_section_points_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contact_section_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_section_points_round_id'))
        batch_op.drop_constraint(batch_op.f('fk_contact_section_points_school_id_schools'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contact_section_points_round_id_rounds'), type_='foreignkey')
        batch_op.drop_column('school_id')
        batch_op.drop_column('round_id')
