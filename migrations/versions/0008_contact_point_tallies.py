"""contact point tallies

Revision ID: 0008
Revises: 0007

Each contact keeps its earned and possible points, its critical-failure flag and its
points per section key, so that scores read contacts instead of every response.
The upgrade tallies every existing contact with the same rules as
``audits.scoring.tally`` (written out here so the migration stands alone).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_section_points',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=64), nullable=False),
    sa.Column('earned', sa.Float(), nullable=False),
    sa.Column('possible', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_section_points_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'section_key', name=op.f('pk_contact_section_points'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earned_points', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('possible_points', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('critical_failure', sa.Boolean(), server_default=sa.false(), nullable=False))
    _tally_existing_contacts()


def _tally_existing_contacts():
    contacts = sa.table(
        'contacts', sa.column('id', sa.Integer), sa.column('earned_points', sa.Float),
        sa.column('possible_points', sa.Float), sa.column('critical_failure', sa.Boolean),
    )
    responses = sa.table(
        'responses', sa.column('id', sa.Integer), sa.column('contact_id', sa.Integer),
        sa.column('item_id', sa.Integer), sa.column('na', sa.Boolean), sa.column('fraction', sa.Float),
    )
    items = sa.table(
        'rubric_items', sa.column('id', sa.Integer), sa.column('section_id', sa.Integer),
        sa.column('kind', sa.String), sa.column('points', sa.Float), sa.column('critical', sa.Boolean),
    )
    sections = sa.table('rubric_sections', sa.column('id', sa.Integer), sa.column('key', sa.String))
    points = sa.table(
        'contact_section_points', sa.column('contact_id', sa.Integer), sa.column('section_key', sa.String),
        sa.column('earned', sa.Float), sa.column('possible', sa.Float),
    )
    scored = sa.and_(responses.c.na.is_(False), responses.c.fraction.is_not(None), items.c.kind != 'text')
    earned = sa.func.coalesce(sa.func.sum(sa.case((scored, responses.c.fraction * items.c.points), else_=0.0)), 0.0)
    possible = sa.func.coalesce(sa.func.sum(sa.case((scored, items.c.points), else_=0.0)), 0.0)
    per_section = (
        sa.select(responses.c.contact_id, sections.c.key, earned, possible)
        .select_from(responses)
        .join(items, items.c.id == responses.c.item_id)
        .join(sections, sections.c.id == items.c.section_id)
        .group_by(responses.c.contact_id, sections.c.key)
    )
    op.execute(points.insert().from_select(['contact_id', 'section_key', 'earned', 'possible'], per_section))
    mine = points.c.contact_id == contacts.c.id
    failed = (
        sa.select(responses.c.id)
        .join(items, items.c.id == responses.c.item_id)
        .where(
            responses.c.contact_id == contacts.c.id,
            items.c.critical.is_(True),
            responses.c.na.is_(False),
            responses.c.fraction == 0,
        )
    )
    op.execute(
        contacts.update().values(
            earned_points=sa.select(sa.func.coalesce(sa.func.sum(points.c.earned), 0.0)).where(mine).scalar_subquery(),
            possible_points=sa.select(sa.func.coalesce(sa.func.sum(points.c.possible), 0.0)).where(mine).scalar_subquery(),
            critical_failure=sa.exists(failed),
        )
    )


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('critical_failure')
        batch_op.drop_column('possible_points')
        batch_op.drop_column('earned_points')

    op.drop_table('contact_section_points')
