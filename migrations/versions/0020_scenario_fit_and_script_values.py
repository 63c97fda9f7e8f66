"""scenarios fit schools; filled scripts: grades and levels of scenarios, the child's grade of an
assignment, districts' script values, auditors' personas

Revision ID: 0020

A scenario says which grades its persona's child may be in and which school levels it suits
(empty lists: any). An assignment keeps the grade chosen for its contact. A district fills the
variables of its scripts and answer keys once (``script_values``; a school's own value comes
first). An auditor plays a parent with a name, a phone and an email of their own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grades', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('levels', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_grade', sa.String(length=2), nullable=True))
    with op.batch_alter_table('auditor_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('persona_name', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('persona_phone', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('persona_email', sa.String(length=254), server_default='', nullable=False))
    op.create_table('script_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_script_values_district_id_districts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_script_values_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_script_values_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_script_values')),
    sa.UniqueConstraint('district_id', 'school_id', 'name', name=op.f('uq_script_values_district_id'))
    )
    with op.batch_alter_table('script_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_script_values_district_id'), ['district_id'], unique=False)


def downgrade():
    with op.batch_alter_table('script_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_script_values_district_id'))
    op.drop_table('script_values')
    with op.batch_alter_table('auditor_profiles', schema=None) as batch_op:
        batch_op.drop_column('persona_email')
        batch_op.drop_column('persona_phone')
        batch_op.drop_column('persona_name')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('child_grade')
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_column('levels')
        batch_op.drop_column('grades')
