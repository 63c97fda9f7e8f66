"""calibration exercises: auditors score the same reference contacts; districts set alpha thresholds

Revision ID: 0029
Revises: 0028

An exercise (``calibration_exercises``) has its reference contacts (an approved contact, or
uploaded material: a file and/or a narrative), the auditors taking part and one ``score_sheets``
row per auditor and reference (and per reference for the key, ``is_key``), whose answers are
``sheet_answers``: apart from contacts and responses, so exercise scores never reach a school.
``districts.alpha_good`` / ``alpha_tentative`` are the district's reliability thresholds;
``rounds.calibrated_within_days`` restricts a round's assignments to recently calibrated auditors.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calibration_exercises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', name='exercisestatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('key_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calibration_exercises_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_calibration_exercises_district_id_districts')),
    sa.ForeignKeyConstraint(['key_by_id'], ['users.id'], name=op.f('fk_calibration_exercises_key_by_id_users')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], name=op.f('fk_calibration_exercises_rubric_id_rubrics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_exercises'))
    )
    with op.batch_alter_table('calibration_exercises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_exercises_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_exercises_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('calibration_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['auditor_id'], ['users.id'], name=op.f('fk_calibration_participants_auditor_id_users')),
    sa.ForeignKeyConstraint(['exercise_id'], ['calibration_exercises.id'], name=op.f('fk_calibration_participants_exercise_id_calibration_exercises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_participants')),
    sa.UniqueConstraint('exercise_id', 'auditor_id', name=op.f('uq_calibration_participants_exercise_id'))
    )
    with op.batch_alter_table('calibration_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_participants_auditor_id'), ['auditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_participants_exercise_id'), ['exercise_id'], unique=False)

    op.create_table('calibration_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('file_kind', sa.Enum('image', 'email', 'text', 'audio', name='evidencekind', native_enum=False, length=20), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=100), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_calibration_references_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['exercise_id'], ['calibration_exercises.id'], name=op.f('fk_calibration_references_exercise_id_calibration_exercises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_references')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_calibration_references_storage_name')),
    sa.UniqueConstraint('token', name=op.f('uq_calibration_references_token'))
    )
    with op.batch_alter_table('calibration_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_references_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_references_exercise_id'), ['exercise_id'], unique=False)

    op.create_table('score_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('reference_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('earned_points', sa.Float(), nullable=False),
    sa.Column('possible_points', sa.Float(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['auditor_id'], ['users.id'], name=op.f('fk_score_sheets_auditor_id_users')),
    sa.ForeignKeyConstraint(['exercise_id'], ['calibration_exercises.id'], name=op.f('fk_score_sheets_exercise_id_calibration_exercises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_id'], ['calibration_references.id'], name=op.f('fk_score_sheets_reference_id_calibration_references'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_sheets')),
    sa.UniqueConstraint('reference_id', 'auditor_id', 'is_key', name=op.f('uq_score_sheets_reference_id'))
    )
    with op.batch_alter_table('score_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_sheets_auditor_id'), ['auditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_sheets_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_sheets_reference_id'), ['reference_id'], unique=False)

    op.create_table('sheet_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('na', sa.Boolean(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['rubric_items.id'], name=op.f('fk_sheet_answers_item_id_rubric_items')),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheets.id'], name=op.f('fk_sheet_answers_sheet_id_score_sheets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_answers')),
    sa.UniqueConstraint('sheet_id', 'item_id', name=op.f('uq_sheet_answers_sheet_id'))
    )
    with op.batch_alter_table('sheet_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_answers_sheet_id'), ['sheet_id'], unique=False)

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alpha_good', sa.Float(), server_default='0.8', nullable=False))
        batch_op.add_column(sa.Column('alpha_tentative', sa.Float(), server_default='0.667', nullable=False))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calibrated_within_days', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('calibrated_within_days')

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('alpha_tentative')
        batch_op.drop_column('alpha_good')

    with op.batch_alter_table('sheet_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_answers_sheet_id'))

    op.drop_table('sheet_answers')
    with op.batch_alter_table('score_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_sheets_reference_id'))
        batch_op.drop_index(batch_op.f('ix_score_sheets_exercise_id'))
        batch_op.drop_index(batch_op.f('ix_score_sheets_auditor_id'))

    op.drop_table('score_sheets')
    with op.batch_alter_table('calibration_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_references_exercise_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_references_contact_id'))

    op.drop_table('calibration_references')
    with op.batch_alter_table('calibration_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_participants_exercise_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_participants_auditor_id'))

    op.drop_table('calibration_participants')
    with op.batch_alter_table('calibration_exercises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_exercises_rubric_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_exercises_district_id'))

    op.drop_table('calibration_exercises')
