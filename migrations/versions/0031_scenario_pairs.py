"""scenario pairs: matched scenarios for paired testing of language and disability access

Revision ID: 0031
Revises: 0030

``scenario_pairs`` holds two scenarios that differ in one declared trait (``language``: en versus
es; ``disability``: none versus iep), of a district or of the library. ``rounds.pair_ids`` names
the pairs a round tests at every school and ``rounds.pair_spacing`` the school days between a
school's two members; ``assignments.pair_id`` and ``assignments.pair_position`` (1 first, 2
second: the seeded order) mark each member's assignment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

TRAITS = ('language', 'disability')


def upgrade():
    op.create_table('scenario_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('trait', sa.Enum(*TRAITS, name='pairtrait', native_enum=False, length=20), nullable=False),
    sa.Column('a_scenario_id', sa.Integer(), nullable=False),
    sa.Column('a_value', sa.String(length=20), nullable=False),
    sa.Column('b_scenario_id', sa.Integer(), nullable=False),
    sa.Column('b_value', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['a_scenario_id'], ['scenarios.id'], name=op.f('fk_scenario_pairs_a_scenario_id_scenarios'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['b_scenario_id'], ['scenarios.id'], name=op.f('fk_scenario_pairs_b_scenario_id_scenarios'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_scenario_pairs_district_id_districts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_pairs')),
    sa.UniqueConstraint('district_id', 'key', name=op.f('uq_scenario_pairs_district_id')),
    )
    with op.batch_alter_table('scenario_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_pairs_district_id'), ['district_id'], unique=False)
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pair_ids', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('pair_spacing', sa.Integer(), server_default='2', nullable=False))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pair_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pair_position', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_pair_id'), ['pair_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_assignments_pair_id_scenario_pairs'), 'scenario_pairs', ['pair_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_pair_id_scenario_pairs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignments_pair_id'))
        batch_op.drop_column('pair_position')
        batch_op.drop_column('pair_id')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('pair_spacing')
        batch_op.drop_column('pair_ids')
    with op.batch_alter_table('scenario_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_pairs_district_id'))
    op.drop_table('scenario_pairs')
