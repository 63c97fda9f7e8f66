"""scale indexes: a district's figures read only its own rows, whatever other districts hold

Revision ID: 0034
Revises: 0033

``ix_contacts_counted`` is a partial index of the contacts that count (approved, and reached or
finally unreached: ``audits.scoring.queries.counted``) by assignment, carrying their tallies, so a
round's scores walk from its assignments to its counted contacts without visiting any other row;
``ix_rounds_district_first_day`` finds a district's rounds in date order (earlier rounds, the latest
one) without reading other districts' rounds.

``contacts.round_id`` carries the round of the contact's assignment (backfilled here, set on every
new contact by ``audits.models.contact``), so a round's counted contacts are found by
``ix_contacts_round_counted`` (partial, the counted ones) instead of a join through every
district's assignments.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

COUNTED = "status = 'approved' AND (outcome = 'reached' OR unreached IS true)"


def upgrade():
    op.create_index(
        'ix_contacts_counted', 'contacts', ['assignment_id'],
        postgresql_where=sa.text(COUNTED), sqlite_where=sa.text(COUNTED),
        postgresql_include=['earned_points', 'possible_points', 'critical_failure', 'rubric_id'],
    )
    op.create_index('ix_rounds_district_first_day', 'rounds', ['district_id', 'first_day'])
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE contacts SET round_id = "
        "(SELECT assignments.round_id FROM assignments WHERE assignments.id = contacts.assignment_id)"
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.alter_column('round_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_contacts_round_id_rounds'), 'rounds', ['round_id'], ['id'], ondelete='CASCADE'
        )
    op.create_index(
        'ix_contacts_round_counted', 'contacts', ['round_id'],
        postgresql_where=sa.text(COUNTED), sqlite_where=sa.text(COUNTED),
    )


def downgrade():
    op.drop_index('ix_contacts_round_counted', table_name='contacts')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contacts_round_id_rounds'), type_='foreignkey')
        batch_op.drop_column('round_id')
    op.drop_index('ix_rounds_district_first_day', table_name='rounds')
    op.drop_index('ix_contacts_counted', table_name='contacts')
