"""Who may do what: the one permission check every view goes through.

``allowed(user, action, target)`` answers for a signed-in user; the web layer
turns a ``False`` into 403. Targets are scoped: a leader acts within their own
district, a principal only on the schools linked to them. Rounds are scoped like
their district; an assignment is an auditor's own, or a leader's or reviewer's
when it belongs to a round of their district. A contact (and each evidence file
of it) is its auditor's own, or a leader's or reviewer's in the round's
district; a principal never reaches a contact, so never an auditor's identity.
A scorecard is its district's leaders', reviewers' and administrators' at any
time, and a principal's only for their own school and only once published (the same
rule lets a principal acknowledge it).
An action plan (and each evidence file of it) is scoped like its school: its principal writes it,
the district's leaders (and administrators) decide it; reviewers and auditors have no part in it.
An appeal is seen by the principals of its contact's school (who file them, on their school's
published scorecards only), by the contact's auditor (its outcome) and by the district's reviewers,
leaders and administrators, who decide it (never the reviewer who approved the contact: a rule of
``audits.appeals.decisions``).
A double-scoring (a contact scored again, blind) is its second auditor's alone: they open its
recordings and email thread through it, never the contact (nor its first auditor's answers).
A calibration exercise is its district's leaders' (who build it) and reviewers' (who read it and
may enter its key), and each of its auditors' to take (what they see of the others' answers
is ``audits.calibration``'s rule: nothing before they submit all of theirs).
The state-wide view (districts side by side) is the administrators': they belong to no district.
A person (a User target) is managed by an administrator, or by a leader of their district
when they are a reviewer, auditor or principal (never an administrator or another leader).
"""

from __future__ import annotations

from enum import StrEnum

from audits.models import (
    ActionPlan,
    Appeal,
    Assignment,
    CalibrationExercise,
    Contact,
    District,
    DoubleScoring,
    Evidence,
    PlanEvidence,
    Role,
    Round,
    School,
    Scorecard,
    User,
)

# What ``allowed`` can scope an action to.
Target = (
    School
    | District
    | Round
    | Assignment
    | Contact
    | Evidence
    | Scorecard
    | User
    | ActionPlan
    | PlanEvidence
    | Appeal
    | DoubleScoring
    | CalibrationExercise
)


class Action(StrEnum):
    """Everything a person can ask Touchpoint to do."""

    LIST_SCHOOLS = "list_schools"
    VIEW_SCHOOL = "view_school"
    EDIT_SCHOOL = "edit_school"
    IMPORT_SCHOOLS = "import_schools"
    MANAGE_USERS = "manage_users"
    INVITE_USERS = "invite_users"
    IMPORT_STAFF = "import_staff"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_DISTRICT = "manage_district"
    VIEW_RUBRICS = "view_rubrics"
    MANAGE_RUBRICS = "manage_rubrics"
    VIEW_SCENARIOS = "view_scenarios"
    MANAGE_SCENARIOS = "manage_scenarios"
    MANAGE_ROUNDS = "manage_rounds"
    REOPEN_ROUND = "reopen_round"
    PLACE_LEGAL_HOLD = "place_legal_hold"
    VIEW_ROUNDS = "view_rounds"
    VIEW_OWN_ASSIGNMENTS = "view_own_assignments"
    MANAGE_AUDITORS = "manage_auditors"
    RECORD_CONTACTS = "record_contacts"
    REVIEW_CONTACTS = "review_contacts"
    VIEW_CONTACT = "view_contact"
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_RESULTS = "export_results"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    CHOOSE_ALERTS = "choose_alerts"
    BUILD_SCORECARDS = "build_scorecards"
    PUBLISH_SCORECARDS = "publish_scorecards"
    VIEW_SCORECARD = "view_scorecard"
    ACKNOWLEDGE_SCORECARD = "acknowledge_scorecard"
    VIEW_DISTRICT_SUMMARY = "view_district_summary"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_PLANS = "view_plans"
    OPEN_PLAN = "open_plan"
    WRITE_PLAN = "write_plan"
    DECIDE_PLAN = "decide_plan"
    QUERY_ANSWERS = "query_answers"
    VIEW_APPEAL = "view_appeal"
    DECIDE_APPEALS = "decide_appeals"
    DOUBLE_SCORE = "double_score"
    MANAGE_CALIBRATION = "manage_calibration"
    VIEW_CALIBRATION = "view_calibration"
    KEY_CALIBRATION = "key_calibration"
    TAKE_CALIBRATION = "take_calibration"
    COMPARE_DISTRICTS = "compare_districts"


# Which roles may take each action at all; scoping to the target comes after.
_ROLES: dict[Action, frozenset[Role]] = {
    # Scorecards: leaders build and publish a round's (target: the Round); a Scorecard target
    # lets principals read their own school's once published (see ``allowed``).
    Action.BUILD_SCORECARDS: frozenset({Role.ADMIN, Role.LEADER}),
    Action.PUBLISH_SCORECARDS: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_SCORECARD: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.PRINCIPAL}),
    # "Read and discussed with staff": a principal of the school, once the scorecard is published.
    Action.ACKNOWLEDGE_SCORECARD: frozenset({Role.PRINCIPAL}),
    Action.VIEW_DISTRICT_SUMMARY: frozenset({Role.ADMIN, Role.LEADER}),
    # Appeals: a principal queries answers of their school's published scorecard (target: the
    # Scorecard); the district's reviewers decide them (target: the Appeal); the contact's auditor
    # and the school's principals see them (target: the Appeal).
    Action.QUERY_ANSWERS: frozenset({Role.PRINCIPAL}),
    Action.DECIDE_APPEALS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.VIEW_APPEAL: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL}),
    # Dashboards and exports of a round (target: the Round, scoped to the district).
    Action.VIEW_DASHBOARD: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.EXPORT_RESULTS: frozenset({Role.ADMIN, Role.LEADER}),
    # Anyone signed in may hold API tokens; a token can do what its user can, no more.
    Action.MANAGE_OWN_TOKENS: frozenset(Role),
    # Leaders choose which email digests they receive (critical failures daily, fieldwork weekly).
    Action.CHOOSE_ALERTS: frozenset({Role.LEADER}),
    Action.LIST_SCHOOLS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.PRINCIPAL}),
    Action.VIEW_SCHOOL: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.PRINCIPAL}),
    Action.EDIT_SCHOOL: frozenset({Role.ADMIN, Role.LEADER}),
    Action.IMPORT_SCHOOLS: frozenset({Role.ADMIN, Role.LEADER}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    # Inviting people (target: the District): leaders invite reviewers, auditors and principals.
    Action.INVITE_USERS: frozenset({Role.ADMIN, Role.LEADER}),
    # Importing a staff file (target: the District): a leader's own district, an admin's any.
    Action.IMPORT_STAFF: frozenset({Role.ADMIN, Role.LEADER}),
    # The users page: administrators manage everyone, leaders their district's non-leaders
    # (target: the User); the audit log is the administrators', a leader's for their district.
    Action.MANAGE_PEOPLE: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN, Role.LEADER}),
    # Installation-wide settings (telephony …) are the administrator's.
    Action.MANAGE_SETTINGS: frozenset({Role.ADMIN}),
    Action.MANAGE_DISTRICT: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_RUBRICS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.MANAGE_RUBRICS: frozenset({Role.ADMIN}),
    Action.VIEW_SCENARIOS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    # Leaders manage their district's scenarios; the shared library (no district) is the admin's.
    Action.MANAGE_SCENARIOS: frozenset({Role.ADMIN, Role.LEADER}),
    Action.MANAGE_ROUNDS: frozenset({Role.ADMIN, Role.LEADER}),
    # Reopening a round closed by mistake (with a reason) is the administrators' alone.
    Action.REOPEN_ROUND: frozenset({Role.ADMIN}),
    # Placing and lifting a round's legal hold (target: the Round, scoped to the district).
    Action.PLACE_LEGAL_HOLD: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_ROUNDS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    # Only auditors have assignments of their own; the others follow rounds on the round pages.
    Action.VIEW_OWN_ASSIGNMENTS: frozenset({Role.AUDITOR}),
    Action.MANAGE_AUDITORS: frozenset({Role.ADMIN, Role.LEADER}),
    # Auditors record their own contacts; reviewers, leaders and administrators review them.
    Action.RECORD_CONTACTS: frozenset({Role.AUDITOR}),
    Action.REVIEW_CONTACTS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    # Scoring a contact again, blind (target: the DoubleScoring): only the auditor it was given to.
    Action.DOUBLE_SCORE: frozenset({Role.AUDITOR}),
    Action.VIEW_CONTACT: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.AUDITOR}),
    # Action plans (target: the ActionPlan or its School): the principal writes their school's and
    # closes its actions; leaders of the district approve or send back; either opens one on request.
    Action.VIEW_PLANS: frozenset({Role.ADMIN, Role.LEADER, Role.PRINCIPAL}),
    Action.OPEN_PLAN: frozenset({Role.ADMIN, Role.LEADER, Role.PRINCIPAL}),
    Action.WRITE_PLAN: frozenset({Role.PRINCIPAL}),
    Action.DECIDE_PLAN: frozenset({Role.ADMIN, Role.LEADER}),
    # Calibration exercises (target: the CalibrationExercise, scoped to its district): leaders build
    # them; leaders and reviewers read every answer and the agreement figures, and enter the key
    # (the district's lead reviewer's answers); an auditor takes the exercises they are part of.
    Action.MANAGE_CALIBRATION: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_CALIBRATION: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.KEY_CALIBRATION: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.TAKE_CALIBRATION: frozenset({Role.AUDITOR}),
    # The state-wide view (no target): every district side by side, so the administrators' alone
    # (they belong to no district); a leader never sees another district's figures.
    Action.COMPARE_DISTRICTS: frozenset({Role.ADMIN}),
}


def allowed(user: User | None, action: Action, target: Target | None = None) -> bool:
    """Return whether ``user`` may take ``action`` on ``target`` (``None`` for no target)."""
    if user is None or not user.active or user.role not in _ROLES[action]:
        return False
    if user.role is Role.ADMIN or target is None:
        return True
    if isinstance(target, PlanEvidence):
        target = target.action.plan
    if isinstance(target, ActionPlan):
        target = target.school
    if isinstance(target, School):
        if user.role is Role.PRINCIPAL:
            return any(school.id == target.id for school in user.schools)
        return target.district_id == user.district_id
    if isinstance(target, District):
        return user.role is not Role.PRINCIPAL and target.id == user.district_id
    if isinstance(target, Round):
        return user.role is not Role.PRINCIPAL and target.district_id == user.district_id
    if isinstance(target, Assignment):
        if user.role is Role.AUDITOR:
            return target.auditor_id == user.id
        return user.role is not Role.PRINCIPAL and target.round.district_id == user.district_id
    if isinstance(target, Scorecard):
        if user.role is Role.PRINCIPAL:
            mine = any(school.id == target.school_id for school in user.schools)
            return mine and target.published_at is not None
        return user.role is not Role.AUDITOR and target.round.district_id == user.district_id
    if isinstance(target, User):
        # Only leaders get here among the roles that manage people.
        return (
            user.role is Role.LEADER
            and target.district_id is not None
            and target.district_id == user.district_id
            and target.role not in (Role.ADMIN, Role.LEADER)
        )
    if isinstance(target, DoubleScoring):
        return target.second_auditor_id == user.id
    if isinstance(target, CalibrationExercise):
        if user.role is Role.AUDITOR:
            return any(taking.auditor_id == user.id for taking in target.participants)
        return user.role is not Role.PRINCIPAL and target.district_id == user.district_id
    if isinstance(target, Appeal):
        if user.role is Role.PRINCIPAL:
            return any(school.id == target.contact.assignment.school_id for school in user.schools)
        target = target.contact
    if isinstance(target, Evidence):
        target = target.contact
    if isinstance(target, Contact):
        if user.role is Role.AUDITOR:
            return target.auditor_id == user.id
        return user.role is not Role.PRINCIPAL and target.assignment.round.district_id == user.district_id
    raise TypeError(f"no access rule for targets of type {type(target).__name__}")
