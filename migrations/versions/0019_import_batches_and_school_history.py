"""school imports as batches that can be undone, the history of school details, district codes

Revision ID: 0019

Every school import is a batch (who, when, file, counts) whose created schools and changed
fields are kept in ``school_changes``, the history of every school's details. Schools get the
district's own code, a website and office hours; a district records the NCES LEAs its schools
belong to, so a file of another district is refused.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('nces', 'directory', name='batchkind', native_enum=False, length=20), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('recorded_lea_ids', sa.JSON(), nullable=False),
        sa.Column('allowed_other', sa.JSON(), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_import_batches_actor_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_import_batches_district_id_districts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_import_batches_undone_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batches_district_id'), ['district_id'], unique=False)
    op.create_table(
        'school_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old', sa.JSON(), nullable=True),
        sa.Column('new', sa.JSON(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_school_changes_actor_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_school_changes_batch_id_import_batches'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_changes_school_id_schools'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_changes')),
    )
    with op.batch_alter_table('school_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_changes_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_changes_school_id'), ['school_id'], unique=False)
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('website', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('office_hours', sa.String(length=100), server_default='', nullable=False))
        batch_op.create_unique_constraint('uq_schools_district_code', ['district_id', 'code'])
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nces_lea_ids', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('nces_lea_ids')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint('uq_schools_district_code', type_='unique')
        batch_op.drop_column('office_hours')
        batch_op.drop_column('website')
        batch_op.drop_column('code')
    op.drop_table('school_changes')
    op.drop_table('import_batches')
