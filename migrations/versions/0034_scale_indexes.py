"""scale indexes: a district's figures read only its own rows, whatever other districts hold

Revision ID: 0034
Revises: 0033

``ix_contacts_counted`` is a partial index of the contacts that count (approved, and reached or
finally unreached: ``audits.scoring.queries.counted``) by assignment, carrying their tallies, so a
round's scores walk from its assignments to its counted contacts without visiting any other row;
``ix_rounds_district_first_day`` finds a district's rounds in date order (earlier rounds, the latest
one) without reading other districts' rounds.
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


def downgrade():
    op.drop_index('ix_rounds_district_first_day', table_name='rounds')
    op.drop_index('ix_contacts_counted', table_name='contacts')
